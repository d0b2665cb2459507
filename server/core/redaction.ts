// The redaction algorithm: which keys of an event survive. It is used for more than redactions:
// signatures and reference hashes (hence event ids from v3) cover the redacted form, so a
// mismatch with other servers here splits rooms. Each variant follows its room version page:
// https://spec.matrix.org/latest/rooms/v1/#redactions (v1-v5), v6 (v6, v7), v8, v9 (v9, v10),
// v11 (v11, v12).

import { isJsonObject, type JsonObject, type JsonValue, type Pdu } from './pdu.ts';
import type { RedactionRules, RoomVersion } from './room-versions.ts';

const TOP_LEVEL_V11 = [
  'event_id',
  'type',
  'room_id',
  'sender',
  'state_key',
  'content',
  'hashes',
  'signatures',
  'depth',
  'prev_events',
  'auth_events',
  'origin_server_ts',
] as const;
// v11 (MSC2176, MSC3989) stopped protecting these three.
const TOP_LEVEL_V1 = [...TOP_LEVEL_V11, 'prev_state', 'origin', 'membership'] as const;

/** Content keys kept per event type; 'all' keeps the whole content. */
type ContentRule = readonly string[] | 'all';

const POWER_LEVELS_V1 = [
  'ban',
  'events',
  'events_default',
  'kick',
  'redact',
  'state_default',
  'users',
  'users_default',
];

// Maps, not object literals: an event type such as "constructor" must not find a prototype key.
const CONTENT_V6 = new Map<string, ContentRule>([
  ['m.room.member', ['membership']],
  ['m.room.create', ['creator']],
  ['m.room.join_rules', ['join_rule']],
  ['m.room.power_levels', POWER_LEVELS_V1],
  ['m.room.history_visibility', ['history_visibility']],
]);
// v1 to v5 also keep the aliases, which have their own auth rule there.
const CONTENT_V1 = new Map<string, ContentRule>([...CONTENT_V6, ['m.room.aliases', ['aliases']]]);
const CONTENT_V8 = new Map<string, ContentRule>([
  ...CONTENT_V6,
  ['m.room.join_rules', ['join_rule', 'allow']],
]);
const CONTENT_V9 = new Map<string, ContentRule>([
  ...CONTENT_V8,
  ['m.room.member', ['membership', 'join_authorised_via_users_server']],
]);
const CONTENT_V11 = new Map<string, ContentRule>([
  ...CONTENT_V9,
  ['m.room.create', 'all'],
  ['m.room.power_levels', [...POWER_LEVELS_V1, 'invite']],
  ['m.room.redaction', ['redacts']],
]);

const CONTENT_RULES: Record<RedactionRules, ReadonlyMap<string, ContentRule>> = {
  v1: CONTENT_V1,
  v6: CONTENT_V6,
  v8: CONTENT_V8,
  v9: CONTENT_V9,
  v11: CONTENT_V11,
};

/**
 * The redacted copy of a PDU under the room version's rules. Everything not protected is dropped,
 * `unsigned` included (a server re-adds what it shows clients, such as `redacted_because`).
 * Kept values are shared with the input, not copied: treat both as immutable.
 */
export function redactEvent(version: RoomVersion, pdu: Pdu): Pdu {
  const rules = version.redaction;
  const redacted: JsonObject = {};
  for (const key of rules === 'v11' ? TOP_LEVEL_V11 : TOP_LEVEL_V1) {
    if (Object.hasOwn(pdu, key)) redacted[key] = pdu[key] as JsonValue;
  }
  // Even an event that arrived without content gets an empty one, as Synapse does.
  redacted.content = redactContent(rules, pdu.type, pdu.content);
  return redacted as Pdu;
}

function redactContent(rules: RedactionRules, type: unknown, content: unknown): JsonObject {
  if (!isJsonObject(content) || typeof type !== 'string') return {};
  const rule = CONTENT_RULES[rules].get(type);
  if (rule === undefined) return {};
  if (rule === 'all') return content;
  const kept: JsonObject = {};
  for (const key of rule) {
    if (Object.hasOwn(content, key)) kept[key] = content[key] as JsonValue;
  }
  if (rules === 'v11' && type === 'm.room.member') keepThirdPartyInviteSigned(content, kept);
  return kept;
}

// v11 keeps `third_party_invite.signed` of member events (MSC3821). The spec does not say what a
// `third_party_invite` without `signed` becomes; like Synapse, Cairn keeps it as `{}` (and drops a
// non-object one), since reference hashes must agree with the servers that already exist.
function keepThirdPartyInviteSigned(content: JsonObject, kept: JsonObject): void {
  const invite = content.third_party_invite;
  if (!isJsonObject(invite)) return;
  kept.third_party_invite = Object.hasOwn(invite, 'signed')
    ? { signed: invite.signed as JsonValue }
    : {};
}
