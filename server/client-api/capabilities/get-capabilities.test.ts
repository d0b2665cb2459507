// GET /capabilities, checked against the spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertError, withClient } from '../../../conformance-tests/support/client-harness.ts';

test('capabilities: password change, room versions with 10 as default (as createRoom), profile fields', (t) =>
  withClient(t, 'pglite', async (client) => {
    const alice = await client.newAccount('alice');
    const url = '/_matrix/client/v3/capabilities';
    const { status, body } = await client.call('GET', url, { token: alice.accessToken });
    assert.equal(status, 200);
    assert.deepEqual(body.capabilities['m.change_password'], { enabled: true });
    assert.deepEqual(body.capabilities['m.room_versions'], {
      default: '10',
      available: { '10': 'stable', '11': 'stable', '12': 'stable' },
    });
    assert.deepEqual(body.capabilities['m.set_displayname'], { enabled: true });
    assert.deepEqual(body.capabilities['m.set_avatar_url'], { enabled: true });
    assert.deepEqual(body.capabilities['m.3pid_changes'], { enabled: false });
    assertError(await client.call('GET', url), 401, 'M_MISSING_TOKEN');
    assertError(await client.call('GET', url, { token: 'nope' }), 401, 'M_UNKNOWN_TOKEN');
  }));
