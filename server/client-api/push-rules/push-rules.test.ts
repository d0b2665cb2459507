// The push rule endpoints on both databases, responses checked against the spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertError,
  snapshotTables,
  withClient,
} from '../../../conformance-tests/support/client-harness.ts';
import { DATABASE_KINDS } from '../../../conformance-tests/support/databases.ts';
import { getAccountData } from '../../storage/account-data.ts';
import { fixtures } from '../sync/sync-fixtures.ts';

const RULES = '/_matrix/client/v3/pushrules/global';

for (const kind of DATABASE_KINDS) {
  test(`${kind}: read the default rules, add, change and delete rules`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;

      const all = await client.call('GET', '/_matrix/client/v3/pushrules/', { token });
      assert.equal(all.status, 200);
      assert.equal(all.body.global.override[0].rule_id, '.m.rule.master');
      const global = await client.call('GET', `${RULES}/`, { token });
      assert.deepEqual(global.body, all.body.global);
      const invite = await client.call('GET', `${RULES}/override/.m.rule.invite_for_me`, { token });
      assert.equal(invite.body.conditions[2].pattern, alice.userId);

      const put = await client.call('PUT', `${RULES}/content/cake`, {
        token,
        body: { pattern: 'cake*lie', actions: ['notify'] },
      });
      assert.deepEqual(put, { status: 200, body: {} });
      assert.deepEqual((await client.call('GET', `${RULES}/content/cake`, { token })).body, {
        rule_id: 'cake',
        default: false,
        enabled: true,
        actions: ['notify'],
        pattern: 'cake*lie',
      });
      await client.call('PUT', `${RULES}/override/quiet`, {
        token,
        body: { actions: [], conditions: [{ kind: 'event_match', key: 'type', pattern: 'x' }] },
      });
      await client.call('PUT', `${RULES}/override/loud?before=quiet`, {
        token,
        body: { actions: ['notify'] },
      });
      const override = (await client.call('GET', `${RULES}/`, { token })).body.override;
      assert.deepEqual(
        override.slice(0, 3).map((r: { rule_id: string }) => r.rule_id),
        ['.m.rule.master', 'loud', 'quiet'],
      );

      // Enable the master rule; change a default rule's actions.
      const master = `${RULES}/override/.m.rule.master`;
      assert.deepEqual(
        await client.call('PUT', `${master}/enabled`, { token, body: { enabled: true } }),
        {
          status: 200,
          body: {},
        },
      );
      assert.deepEqual((await client.call('GET', `${master}/enabled`, { token })).body, {
        enabled: true,
      });
      const message = `${RULES}/underride/.m.rule.message`;
      await client.call('PUT', `${message}/actions`, {
        token,
        body: { actions: ['notify', { set_tweak: 'sound', value: 'default' }] },
      });
      assert.deepEqual((await client.call('GET', `${message}/actions`, { token })).body, {
        actions: ['notify', { set_tweak: 'sound', value: 'default' }],
      });

      assert.deepEqual(await client.call('DELETE', `${RULES}/content/cake`, { token }), {
        status: 200,
        body: {},
      });
      assertError(await client.call('GET', `${RULES}/content/cake`, { token }), 404, 'M_NOT_FOUND');

      // The rules live in the m.push_rules account data event, which /sync delivers.
      const stored = await getAccountData(client.db, alice.userId, '', 'm.push_rules');
      assert.deepEqual(stored, { global: (await client.call('GET', `${RULES}/`, { token })).body });
    }));

  test(`${kind}: push rule refusals change nothing`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      await client.call('PUT', `${RULES}/override/mine`, { token, body: { actions: [] } });
      const before = await snapshotTables(client.db, ['account_data']);

      for (const url of [
        `${RULES}/override/nothing`,
        `${RULES}/override/nothing/enabled`,
        `${RULES}/override/nothing/actions`,
      ]) {
        assertError(await client.call('GET', url, { token }), 404, 'M_NOT_FOUND');
      }
      assertError(
        await client.call('DELETE', `${RULES}/override/nothing`, { token }),
        404,
        'M_NOT_FOUND',
      );
      assertError(
        await client.call('PUT', `${RULES}/override/nothing/enabled`, {
          token,
          body: { enabled: false },
        }),
        404,
        'M_NOT_FOUND',
      );
      assertError(
        await client.call('PUT', `${RULES}/override/nothing/actions`, {
          token,
          body: { actions: [] },
        }),
        404,
        'M_NOT_FOUND',
      );
      const badPuts: [string, unknown, string][] = [
        [`${RULES}/override/.m.rule.mine`, { actions: [] }, 'M_INVALID_PARAM'],
        [`${RULES}/room/not-a-room`, { actions: [] }, 'M_INVALID_PARAM'],
        [`${RULES}/content/nopattern`, { actions: [] }, 'M_MISSING_PARAM'],
        [`${RULES}/override/x`, { actions: ['explode'] }, 'M_INVALID_PARAM'],
        [`${RULES}/override/x?after=missing`, { actions: [] }, 'M_UNKNOWN'],
        [`${RULES}/override/x`, {}, 'M_BAD_JSON'],
        [`${RULES}/override/x`, { actions: 'notify' }, 'M_BAD_JSON'],
        [`${RULES}/override/x`, { actions: [], conditions: [{ key: 'no kind' }] }, 'M_BAD_JSON'],
        [`${RULES}/override/mine/enabled`, { enabled: 'yes' }, 'M_BAD_JSON'],
        [`${RULES}/override/mine/actions`, {}, 'M_BAD_JSON'],
        [`${RULES}/sideways/x`, { actions: [] }, 'M_INVALID_PARAM'],
      ];
      for (const [url, body, errcode] of badPuts) {
        assertError(await client.call('PUT', url, { token, body }), 400, errcode);
      }
      assertError(
        await client.call('DELETE', `${RULES}/override/.m.rule.master`, { token }),
        400,
        'M_INVALID_PARAM',
      );
      assertError(await client.call('GET', `${RULES}/`), 401, 'M_MISSING_TOKEN');
      assertError(
        await client.call('PUT', `${RULES}/override/y`, { token: 'nope', body: { actions: [] } }),
        401,
        'M_UNKNOWN_TOKEN',
      );
      assert.equal(await snapshotTables(client.db, ['account_data']), before);
    }));
  test(`${kind}: the rules reach /sync: always in an initial sync, and a change wakes a waiting one`, (t) =>
    withClient(t, kind, async (client) => {
      const f = fixtures(client);
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      const pushRulesOf = (sync: {
        account_data: { events: { type: string; content: unknown }[] };
      }) => sync.account_data.events.find((event) => event.type === 'm.push_rules')?.content;

      // Alice never changed a rule: the defaults come anyway, as GET /pushrules has them.
      const initial = await f.sync(alice);
      const all = await client.call('GET', '/_matrix/client/v3/pushrules/', { token });
      assert.deepEqual(pushRulesOf(initial), all.body);
      // An incremental sync with nothing new has none; a filter can leave them out.
      const quiet = await f.sync(alice, { since: initial.next_batch });
      assert.equal(pushRulesOf(quiet), undefined);
      const filtered = await f.sync(alice, {
        filter: { account_data: { not_types: ['m.push_rules'] } },
      });
      assert.equal(pushRulesOf(filtered), undefined);

      // Each change wakes a waiting sync, which carries the rules in force.
      const { notifier } = client.ctx.sync;
      let since = initial.next_batch;
      const changes: [string, string, object][] = [
        ['PUT', `${RULES}/room/!foo:example.org`, { actions: ['dont_notify'] }],
        ['PUT', `${RULES}/room/!foo:example.org/enabled`, { enabled: false }],
        ['PUT', `${RULES}/room/!foo:example.org/actions`, { actions: ['notify'] }],
        ['DELETE', `${RULES}/room/!foo:example.org`, {}],
      ];
      for (const [method, url, body] of changes) {
        const started = performance.now();
        const waiting = f.sync(alice, { since, timeout: 20_000 });
        while (notifier.waiting < 1) await new Promise((resolve) => setTimeout(resolve, 5));
        assert.equal((await client.call(method, url, { token, body })).status, 200);
        const woken = await waiting;
        assert.ok(performance.now() - started < 10_000, `${method} ${url} woke the sync`);
        const rules = pushRulesOf(woken);
        const room = await client.call('GET', '/_matrix/client/v3/pushrules/', { token });
        assert.deepEqual(rules, room.body, `${method} ${url}`);
        since = woken.next_batch;
      }
    }));

  test(`${kind}: historical actions are kept as set; MSC4306's postcontent kind`, (t) =>
    withClient(t, kind, async (client) => {
      const alice = await client.newAccount('alice');
      const token = alice.accessToken;
      const put = await client.call('PUT', `${RULES}/sender/${encodeURIComponent(alice.userId)}`, {
        token,
        body: { actions: ['dont_notify'] },
      });
      assert.equal(put.status, 200);
      const all = await client.call('GET', '/_matrix/client/v3/pushrules/', { token });
      assert.deepEqual(all.body.global.sender[0].actions, ['dont_notify']);

      // No postcontent rule exists by default: a client looking for one is told 404.
      const missing = `${RULES}/postcontent/.io.element.msc4306.rule.subscribed_thread`;
      assertError(await client.call('GET', missing, { token }), 404, 'M_NOT_FOUND');
      const rule = `${RULES}/postcontent/mine`;
      const added = await client.call('PUT', rule, {
        token,
        body: {
          actions: ['notify'],
          conditions: [{ kind: 'event_match', key: 'type', pattern: 'x' }],
        },
        // The spec's schema lists the five kinds of its own.
        unchecked: true,
      });
      assert.equal(added.status, 200);
      const read = await client.call('GET', rule, { token, unchecked: true });
      assert.deepEqual(read.body.conditions, [{ kind: 'event_match', key: 'type', pattern: 'x' }]);
    }));
}
