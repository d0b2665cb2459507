// Persist step: run every other local joined member's push rules on the event, in the transaction
// that stores it, and keep the outcome for those it notifies or highlights: /sync's unread counts
// are read from these rows, so a new event and its count arrive in the same response (spec).
// The sender's own event counts as their read receipt: their notifications before it, in its
// thread (all threads for their join), are cleared. A redacted event notifies no more.
// https://spec.matrix.org/latest/client-server-api/#receiving-notifications
//
// This runs on every send: one query for the members, their rules and whether the sender has
// anything to clear, power levels only for the rare event that asks (@room), the thread only
// when someone is notified or cleared, one insert for the members evaluated one by one and one
// for all those with only the default rules whom the event does not name (evaluated once: in a
// room of 10,000 members, listing and evaluating each took most of every event's time).
import type { Kysely } from 'kysely';
import { getNotificationLevel, getUserPowerLevel } from '../core/auth-rules/power-levels.ts';
import type { EventWithId } from '../core/pdu.ts';
import { getRoomVersion } from '../core/room-versions.ts';
import { type ReadonlyStateMap, stateKey } from '../core/state-map.ts';
import { usersNamedByDefaultRules } from '../push/default-push-rules.ts';
import {
  type EventConditionMemo,
  evaluatePushRules,
  type PushContext,
  type PushEvent,
} from '../push/evaluate-push-rules.ts';
import { effectivePushRules, type PushRuleSet } from '../push/push-rule-set.ts';
import { getEvents } from '../storage/events.ts';
import {
  clearPushActions,
  forgetRedactedPushActions,
  insertDefaultPushActions,
  insertPushActions,
  loadPushRecipients,
  type PushActionRow,
  type PushRecipient,
} from '../storage/push-actions.ts';
import type { Database } from '../storage/schema.ts';
import { relationOf } from './event-relation.ts';

/** The spec suggests following at most 3 relations to find an event's thread. */
const MAX_HOPS = 3;

export async function recordPushActions(
  trx: Kysely<Database>,
  roomId: string,
  event: EventWithId,
  streamOrdering: number,
  stateBefore: ReadonlyStateMap,
): Promise<void> {
  const { pdu } = event;
  if (pdu.type === 'm.room.redaction') {
    const targets = [pdu.redacts, pdu.content.redacts].filter((id) => typeof id === 'string');
    await forgetRedactedPushActions(trx, event.eventId, targets);
  }
  const pushEvent = { ...pdu, room_id: roomId } as PushEvent;
  // Members with only the default rules whom the event does not name all get one outcome: they
  // are counted, not listed, and the outcome is evaluated once, for a user no event names.
  // The sender is always listed (their own unread notifications are cleared below).
  const namedByEvent = usersNamedByDefaultRules(pushEvent);
  const named = namedByEvent.includes(NOBODY) ? undefined : [pdu.sender, ...namedByEvent];
  const { members, othersWithDefaults, memberCount, senderHasUnread } = await loadPushRecipients(
    trx,
    roomId,
    pdu.sender,
    named,
  );
  let thread: Promise<string | null> | undefined;
  const threadOfEvent = () => {
    thread ??= threadOf(trx, roomId, event);
    return thread;
  };

  if (senderHasUnread && members.some((member) => member.userId === pdu.sender)) {
    const ownJoin = pdu.type === 'm.room.member' && pdu.state_key === pdu.sender;
    await clearPushActions(trx, {
      userId: pdu.sender,
      roomId,
      before: streamOrdering,
      threadId: ownJoin ? 'all' : await threadOfEvent(),
    });
  }
  const recipients = members.filter((member) => member.userId !== pdu.sender);
  if (recipients.length === 0 && othersWithDefaults === 0) return;
  // Only a rule of the user's own asks for their display name: the spec's defaults no longer do.
  const displayNames = await displayNamesOf(
    trx,
    recipients
      .filter((member) => member.storedRules?.includes('contains_display_name'))
      .map((member) => member.memberEventId),
  );

  let power: ((key: string) => boolean) | undefined;
  let powerNeeded = false;
  const evaluate = () => {
    const memo: EventConditionMemo = new WeakMap();
    const contextOf = (userId: string, displayName: string | undefined): PushContext => ({
      userId,
      displayName,
      roomMemberCount: memberCount,
      senderMayNotify: (key) => {
        if (power) return power(key);
        powerNeeded = true;
        return false;
      },
    });
    const others =
      othersWithDefaults > 0
        ? evaluatePushRules(NOBODYS_RULES, pushEvent, contextOf(NOBODY, undefined), memo)
        : undefined;
    const listed = recipients.flatMap((member) => {
      const outcome = evaluatePushRules(
        rulesOf(member),
        pushEvent,
        contextOf(member.userId, displayNames.get(member.memberEventId)),
        memo,
      );
      return outcome && (outcome.notify || outcome.highlight)
        ? [{ userId: member.userId, notify: outcome.notify, highlight: outcome.highlight }]
        : [];
    });
    return { listed, others: others && (others.notify || others.highlight) ? others : undefined };
  };
  let outcomes = evaluate();
  if (powerNeeded) {
    power = await senderPermission(trx, stateBefore, pdu.sender);
    outcomes = evaluate();
  }
  const { listed, others } = outcomes;
  if (listed.length === 0 && !others) return;

  const threadId = await threadOfEvent();
  const rows: PushActionRow[] = listed.map((outcome) => ({
    ...outcome,
    eventId: event.eventId,
    roomId,
    streamOrdering,
    threadId,
  }));
  await insertPushActions(trx, rows);
  if (others && named) {
    await insertDefaultPushActions(trx, {
      eventId: event.eventId,
      roomId,
      streamOrdering,
      threadId,
      notify: others.notify,
      highlight: others.highlight,
      named,
    });
  }
}

/**
 * Display names by member event id. An event id names immutable content, so the names are
 * cached for the process's life (bounded), and a send reads only member events it has not seen:
 * in a busy room, none.
 */
const MAX_CACHED_NAMES = 50_000;
const cachedNames = new Map<string, string | undefined>();

async function displayNamesOf(
  trx: Kysely<Database>,
  memberEventIds: readonly string[],
): Promise<Map<string, string | undefined>> {
  const names = new Map<string, string | undefined>();
  const missing: string[] = [];
  for (const id of memberEventIds) {
    if (cachedNames.has(id)) names.set(id, cachedNames.get(id));
    else missing.push(id);
  }
  if (missing.length === 0) return names;
  const events = await getEvents(trx, missing);
  for (const id of missing) {
    const name = events.get(id)?.pdu.content.displayname;
    const value = typeof name === 'string' ? name : undefined;
    names.set(id, value);
    if (cachedNames.size >= MAX_CACHED_NAMES) {
      // Maps iterate in insertion order: drop the oldest entry.
      cachedNames.delete(cachedNames.keys().next().value as string);
    }
    cachedNames.set(id, value);
  }
  return names;
}

/** A user id no event can name (an event naming it anyway turns the shortcut off). */
const NOBODY = '@\u0000:\u0000';
const NOBODYS_RULES = effectivePushRules(NOBODY);

/**
 * Each member's rules in force, by their stored rules (null: defaults only). Building them for
 * every member of a room of thousands on every event took as long as evaluating them; most
 * rules are shared objects (default-push-rules.ts), so an entry is small. Bounded.
 */
const MAX_CACHED_RULE_SETS = 20_000;
const cachedRuleSets = new Map<string, PushRuleSet>();

function rulesOf(member: PushRecipient): PushRuleSet {
  const key = `${member.userId}\u0000${member.storedRules ?? ''}`;
  const cached = cachedRuleSets.get(key);
  if (cached) return cached;
  let stored: Partial<PushRuleSet> | undefined;
  if (member.storedRules !== null) {
    try {
      stored = (JSON.parse(member.storedRules) as { global?: Partial<PushRuleSet> }).global;
    } catch {
      stored = undefined;
    }
  }
  const rules = effectivePushRules(member.userId, stored);
  if (cachedRuleSets.size >= MAX_CACHED_RULE_SETS) {
    // Maps iterate in insertion order: drop the oldest entry.
    cachedRuleSets.delete(cachedRuleSets.keys().next().value as string);
  }
  cachedRuleSets.set(key, rules);
  return rules;
}

/** Whether the sender reaches a `notifications` level, read from the state before the event. */
async function senderPermission(
  trx: Kysely<Database>,
  state: ReadonlyStateMap,
  sender: string,
): Promise<(key: string) => boolean> {
  const createId = state.get(stateKey('m.room.create', ''));
  const powerId = state.get(stateKey('m.room.power_levels', ''));
  const ids = [createId, powerId].filter((id): id is string => id !== undefined);
  const events = await getEvents(trx, ids);
  const create = createId === undefined ? undefined : events.get(createId)?.pdu;
  const powerLevels = powerId === undefined ? undefined : events.get(powerId)?.pdu;
  const versionId = create?.content.room_version;
  const version = getRoomVersion(typeof versionId === 'string' ? versionId : '1');
  if (!version) return () => false;
  const level = getUserPowerLevel(version, create, powerLevels, sender);
  return (key) => level >= getNotificationLevel(version, powerLevels, key);
}

/**
 * The thread root the event belongs to, or null for the main timeline: a thread reply names its
 * root, and an event relating to one (a reaction, an edit) is in the thread of what it relates to.
 */
async function threadOf(
  trx: Kysely<Database>,
  roomId: string,
  event: EventWithId,
): Promise<string | null> {
  let relation = relationOf(event.pdu.content);
  for (let hop = 1; relation && hop <= MAX_HOPS; hop++) {
    if (relation.relType === 'm.thread') return relation.eventId;
    if (hop === MAX_HOPS) break;
    const parent = await trx
      .selectFrom('event_relations')
      .select(['relates_to_id', 'rel_type'])
      .where('event_id', '=', relation.eventId)
      .where('room_id', '=', roomId)
      .executeTakeFirst();
    relation = parent && { relType: parent.rel_type, eventId: parent.relates_to_id };
  }
  return null;
}
