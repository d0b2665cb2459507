// The pure rules server access relies on, as case tables: the server ACL rules in the spec's
// order (server-acl.ts), and history visibility for servers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../server/core/pdu.ts';
import type { HistoryVisibility } from '../../server/rooms/history-visibility.ts';
import { type EventFacts, mayServerSeeEvent } from './server-access.ts';
import { isServerAllowedByAcl } from './server-acl.ts';

test('server ACLs: IP literals, then deny, then allow, else deny', () => {
  const cases: [JsonObject, string, boolean][] = [
    [{ allow: ['*'] }, 'any.test', true],
    [{}, 'any.test', false],
    [{ allow: 'everyone' }, 'any.test', false],
    [{ allow: ['*'], deny: ['evil.test'] }, 'evil.test', false],
    // The port is not part of the match.
    [{ allow: ['*'], deny: ['evil.test'] }, 'evil.test:8448', false],
    [{ allow: ['good.test'] }, 'good.test:1234', true],
    // Globs: * any run, ? one character, case-insensitive, whole name.
    [{ allow: ['*'], deny: ['*.evil.test'] }, 'a.b.EVIL.test', false],
    [{ allow: ['*'], deny: ['*.evil.test'] }, 'evil.test', true],
    [{ allow: ['server?.test'] }, 'server1.test', true],
    [{ allow: ['server?.test'] }, 'server10.test', false],
    [{ allow: ['good.test'] }, 'notgood.test', false],
    // deny wins over allow.
    [{ allow: ['evil.test'], deny: ['evil.test'] }, 'evil.test', false],
    // Entries that are not strings are ignored.
    [{ allow: [1, null, 'ok.test'], deny: [{}] }, 'ok.test', true],
    // IP literals: refused only when allow_ip_literals is exactly false.
    [{ allow: ['*'] }, '1.2.3.4', true],
    [{ allow: ['*'], allow_ip_literals: false }, '1.2.3.4:8448', false],
    [{ allow: ['*'], allow_ip_literals: false }, '[::1]:8448', false],
    [{ allow: ['*'], allow_ip_literals: false }, '[::1]', false],
    [{ allow: ['*'], allow_ip_literals: 'no' }, '1.2.3.4', true],
    [{ allow: ['*'], allow_ip_literals: false }, '1.2.3.4.example', true],
    [{ allow: ['[::1]'] }, '[::1]:8448', true],
  ];
  for (const [content, server, expected] of cases) {
    assert.equal(
      isServerAllowedByAcl(content, server),
      expected,
      `${JSON.stringify(content)} ${server}`,
    );
  }
});

test('history visibility for servers: shared and world_readable open, else a member at the event', () => {
  const message: EventFacts = { type: 'm.room.message', stateKey: undefined, content: {} };
  const see = (
    event: EventFacts,
    visibilityBefore: HistoryVisibility,
    membershipsBefore: string[],
  ) => mayServerSeeEvent(event, { serverName: 'b.test', visibilityBefore, membershipsBefore });
  const cases: [EventFacts, HistoryVisibility, string[], boolean][] = [
    [message, 'world_readable', [], true],
    [message, 'shared', [], true],
    [message, 'invited', [], false],
    [message, 'invited', ['invite'], true],
    [message, 'invited', ['leave', 'join'], true],
    [message, 'invited', ['leave', 'ban'], false],
    [message, 'joined', ['invite'], false],
    [message, 'joined', ['join'], true],
    [message, 'joined', [], false],
    // A visibility change is seen if the setting before or after it allows.
    [
      {
        type: 'm.room.history_visibility',
        stateKey: '',
        content: { history_visibility: 'shared' },
      },
      'joined',
      [],
      true,
    ],
    [
      {
        type: 'm.room.history_visibility',
        stateKey: '',
        content: { history_visibility: 'joined' },
      },
      'invited',
      ['invite'],
      true,
    ],
    // A member event of the server's own user: its membership after counts.
    [
      { type: 'm.room.member', stateKey: '@u:b.test', content: { membership: 'join' } },
      'joined',
      [],
      true,
    ],
    [
      { type: 'm.room.member', stateKey: '@u:b.test', content: { membership: 'invite' } },
      'invited',
      [],
      true,
    ],
    [
      { type: 'm.room.member', stateKey: '@u:b.test', content: { membership: 'invite' } },
      'joined',
      [],
      false,
    ],
    // Someone else's join does not open it, even on a server whose name ends the same.
    [
      { type: 'm.room.member', stateKey: '@u:bb.test', content: { membership: 'join' } },
      'joined',
      [],
      false,
    ],
    [
      { type: 'm.room.member', stateKey: '@u:a.b.test', content: { membership: 'join' } },
      'joined',
      [],
      false,
    ],
  ];
  for (const [event, visibility, memberships, expected] of cases) {
    assert.equal(
      see(event, visibility, memberships),
      expected,
      `${event.type} ${event.stateKey} ${visibility} ${memberships}`,
    );
  }
});
