// Push rule evaluation: which of a user's rules an event matches, and so whether it notifies them
// and is highlighted. Pure: the caller gathers the event and the few room facts the conditions
// read. https://spec.matrix.org/latest/client-server-api/#push-rules
import type { JsonObject } from '../core/pdu.ts';
import { containsWords, globMatches } from './glob-match.ts';
import { lookupProperty, parsePropertyPath } from './property-path.ts';
import type { PushAction, PushRule, PushRuleSet } from './push-rule-set.ts';

/** What the conditions need beyond the event itself, for one user. */
export interface PushContext {
  /** The user whose rules are evaluated. */
  readonly userId: string;
  /** The user's display name in the room, if they have one (`contains_display_name`). */
  readonly displayName: string | undefined;
  /** Joined members of the room (`room_member_count`). */
  readonly roomMemberCount: number;
  /**
   * `sender_notification_permission`: whether the sender's power level reaches the level the
   * room's power levels ask under `notifications.<key>` (50 unless set). A function, so that the
   * caller reads power levels only for the rare event that reaches such a condition.
   */
  senderMayNotify(key: string): boolean;
}

export interface PushOutcome {
  readonly ruleId: string;
  readonly actions: readonly PushAction[];
  readonly notify: boolean;
  readonly highlight: boolean;
}

/** The event as the conditions see it: a client event with at least these fields. */
export interface PushEvent extends JsonObject {
  type: string;
  sender: string;
  room_id: string;
  content: JsonObject;
}

const KINDS = ['override', 'content', 'postcontent', 'room', 'sender', 'underride'] as const;

/**
 * What conditions that read only the event (event_match, event_property_is/contains) found in
 * one event, by condition: evaluating one event for each member of a room of thousands, most of
 * their conditions are the same objects (default-push-rules.ts), tested once instead of per
 * member. Make one per event; never share it between events.
 */
export type EventConditionMemo = WeakMap<object, boolean>;

/** The first enabled rule that matches, in the spec's order of kinds; undefined if none does. */
export function evaluatePushRules(
  rules: PushRuleSet,
  event: PushEvent,
  context: PushContext,
  memo?: EventConditionMemo,
): PushOutcome | undefined {
  for (const kind of KINDS) {
    for (const rule of rules[kind] ?? []) {
      if (!rule.enabled || !ruleMatches(kind, rule, event, context, memo)) continue;
      return { ruleId: rule.rule_id, actions: rule.actions, ...notificationOf(rule.actions) };
    }
  }
  return undefined;
}

/**
 * `notify` notifies; the `highlight` tweak highlights, its value defaulting to true. The historical
 * `dont_notify` and `coalesce` are ignored, so `["dont_notify"]` is the empty list.
 */
export function notificationOf(actions: readonly PushAction[]): {
  notify: boolean;
  highlight: boolean;
} {
  let notify = false;
  let highlight = false;
  for (const action of actions) {
    if (action === 'notify') notify = true;
    else if (typeof action === 'object' && action !== null && action.set_tweak === 'highlight') {
      highlight = !Object.hasOwn(action, 'value') || action.value === true;
    }
  }
  return { notify, highlight };
}

function ruleMatches(
  kind: (typeof KINDS)[number],
  rule: PushRule,
  event: PushEvent,
  context: PushContext,
  memo: EventConditionMemo | undefined,
): boolean {
  switch (kind) {
    case 'override':
    case 'postcontent':
    case 'underride':
      return (rule.conditions ?? []).every((condition) => {
        if (!memo || !READS_EVENT_ONLY.has(condition.kind)) {
          return conditionHolds(condition, event, context);
        }
        let holds = memo.get(condition);
        if (holds === undefined) {
          holds = conditionHolds(condition, event, context);
          memo.set(condition, holds);
        }
        return holds;
      });
    case 'content': {
      const body = event.content.body;
      return (
        typeof rule.pattern === 'string' &&
        typeof body === 'string' &&
        globMatches(rule.pattern, body, 'words')
      );
    }
    case 'room':
      return rule.rule_id === event.room_id;
    case 'sender':
      return rule.rule_id === event.sender;
  }
}

/** Condition kinds whose outcome depends on the event alone, not on the user or the room. */
const READS_EVENT_ONLY = new Set<unknown>([
  'event_match',
  'event_property_is',
  'event_property_contains',
]);

/** One condition; a kind this server does not know never holds (the spec's rule). */
export function conditionHolds(
  condition: Record<string, unknown>,
  event: PushEvent,
  context: PushContext,
): boolean {
  switch (condition.kind) {
    case 'event_match': {
      const { key, pattern } = condition;
      if (typeof key !== 'string' || typeof pattern !== 'string') return false;
      const value = valueAt(event, key);
      if (typeof value !== 'string') return false;
      return globMatches(pattern, value, key === 'content.body' ? 'words' : 'whole');
    }
    case 'event_property_is': {
      if (typeof condition.key !== 'string' || !isScalar(condition.value)) return false;
      const value = valueAt(event, condition.key);
      return isScalar(value) && value === condition.value;
    }
    case 'event_property_contains': {
      if (typeof condition.key !== 'string' || !isScalar(condition.value)) return false;
      const value = valueAt(event, condition.key);
      return (
        Array.isArray(value) && value.some((item) => isScalar(item) && item === condition.value)
      );
    }
    case 'contains_display_name': {
      const body = event.content.body;
      const name = context.displayName;
      return typeof body === 'string' && !!name && containsWords(name, body);
    }
    case 'room_member_count':
      return (
        typeof condition.is === 'string' && countMatches(condition.is, context.roomMemberCount)
      );
    case 'sender_notification_permission':
      return typeof condition.key === 'string' && context.senderMayNotify(condition.key);
    default:
      return false;
  }
}

const paths = new Map<string, string[]>();

function valueAt(event: PushEvent, key: string): unknown {
  let names = paths.get(key);
  if (!names) {
    names = parsePropertyPath(key);
    if (paths.size >= 1000) paths.clear();
    paths.set(key, names);
  }
  return lookupProperty(event, names);
}

/** The spec's non-compound canonical JSON values: strings, safe integers, booleans and null. */
function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isSafeInteger(value))
  );
}

const COUNT = /^(==|<=|>=|<|>)?([0-9]+)$/;

/** `is`: a decimal integer, optionally after `==`, `<`, `>`, `<=` or `>=` (`==` by default). */
function countMatches(is: string, count: number): boolean {
  const parsed = COUNT.exec(is);
  if (!parsed) return false;
  const wanted = Number(parsed[2]);
  switch (parsed[1] ?? '==') {
    case '<':
      return count < wanted;
    case '>':
      return count > wanted;
    case '<=':
      return count <= wanted;
    case '>=':
      return count >= wanted;
    default:
      return count === wanted;
  }
}
