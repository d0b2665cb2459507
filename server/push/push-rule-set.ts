// A user's push rules as one value, and the edits the push rule API makes to it. Pure: storage is
// in user-push-rules.ts. https://spec.matrix.org/latest/client-server-api/#push-rules
//
// What is stored is the user's effective rule set (it is also the `m.push_rules` account data
// event /sync delivers). On reading it is merged again with the current server defaults, so a
// default rule added or changed in a later Cairn version reaches every user, while the user's own
// rules, and their `enabled` and `actions` choices for default rules, are kept.
import type { PushRuleKind } from '../../schemas/requests/push-rules.ts';
import { MatrixError } from '../http/matrix-error.ts';
import { defaultPushRules } from './default-push-rules.ts';

export type PushAction = string | Record<string, unknown>;

export interface PushRule {
  rule_id: string;
  default: boolean;
  enabled: boolean;
  actions: PushAction[];
  conditions?: Record<string, unknown>[];
  pattern?: string;
}

export type PushRuleSet = Record<PushRuleKind, PushRule[]>;

const KINDS: readonly PushRuleKind[] = [
  'override',
  'content',
  'postcontent',
  'room',
  'sender',
  'underride',
];
const MASTER = '.m.rule.master';

export function isServerDefault(ruleId: string): boolean {
  return ruleId.startsWith('.');
}

/** The rules in force: the defaults (with the user's choices) and the user's own rules. */
export function effectivePushRules(userId: string, stored?: Partial<PushRuleSet>): PushRuleSet {
  const defaults = defaultPushRules(userId);
  const result = {} as PushRuleSet;
  for (const kind of KINDS) {
    const saved = Array.isArray(stored?.[kind]) ? stored[kind] : [];
    const own = saved.filter((rule) => !isServerDefault(rule.rule_id));
    const serverRules = defaults[kind].map((rule) => {
      const choice = saved.find((s) => s.rule_id === rule.rule_id);
      return choice ? { ...rule, enabled: choice.enabled, actions: choice.actions } : rule;
    });
    // User rules outrank server defaults of their kind, except the master switch.
    const master = serverRules.filter((rule) => rule.rule_id === MASTER);
    const rest = serverRules.filter((rule) => rule.rule_id !== MASTER);
    result[kind] = [...master, ...own, ...rest];
  }
  return result;
}

export function findPushRule(
  set: PushRuleSet,
  kind: PushRuleKind,
  ruleId: string,
): PushRule | undefined {
  return set[kind].find((rule) => rule.rule_id === ruleId);
}

export interface NewPushRule {
  actions: PushAction[];
  conditions?: Record<string, unknown>[] | undefined;
  pattern?: string | undefined;
}

/** Adds or replaces a user rule; `before`/`after` place it relative to another user rule. */
export function putPushRule(
  set: PushRuleSet,
  kind: PushRuleKind,
  ruleId: string,
  input: NewPushRule,
  position: { before?: string | undefined; after?: string | undefined } = {},
): PushRuleSet {
  checkUserRuleId(kind, ruleId);
  const existing = findPushRule(set, kind, ruleId);
  const rule: PushRule = {
    rule_id: ruleId,
    default: false,
    // New rules start enabled (spec); an updated rule keeps its state.
    enabled: existing?.enabled ?? true,
    actions: normaliseActions(input.actions),
    ...ruleFields(kind, input),
  };
  const own = set[kind].filter((r) => !r.default && r.rule_id !== ruleId);
  let index = existing && !position.before && !position.after ? ownIndex(set, kind, ruleId) : 0;
  const anchor = position.before ?? position.after;
  if (anchor !== undefined) {
    const at = own.findIndex((r) => r.rule_id === anchor);
    if (at < 0) throw new MatrixError(400, 'M_UNKNOWN', `before/after rule not found: ${anchor}`);
    index = position.before !== undefined ? at : at + 1;
  }
  own.splice(index, 0, rule);
  return withOwnRules(set, kind, own);
}

/** Undefined when there is no such user rule. Server-default rules cannot be deleted. */
export function deletePushRule(
  set: PushRuleSet,
  kind: PushRuleKind,
  ruleId: string,
): PushRuleSet | undefined {
  const rule = findPushRule(set, kind, ruleId);
  if (!rule) return undefined;
  if (rule.default)
    throw new MatrixError(400, 'M_INVALID_PARAM', 'Cannot delete a server-default rule');
  return withOwnRules(
    set,
    kind,
    set[kind].filter((r) => !r.default && r.rule_id !== ruleId),
  );
}

/** Undefined when there is no such rule (user or server-default). */
export function changePushRule(
  set: PushRuleSet,
  kind: PushRuleKind,
  ruleId: string,
  change: { enabled?: boolean; actions?: PushAction[] },
): PushRuleSet | undefined {
  if (!findPushRule(set, kind, ruleId)) return undefined;
  const actions = change.actions && normaliseActions(change.actions);
  return {
    ...set,
    [kind]: set[kind].map((rule) =>
      rule.rule_id !== ruleId
        ? rule
        : {
            ...rule,
            ...(change.enabled === undefined ? {} : { enabled: change.enabled }),
            ...(actions === undefined ? {} : { actions }),
          },
    ),
  };
}

/**
 * Checks a client's actions. The historical `dont_notify` and `coalesce` are kept as given, so a
 * client reads back what it set (as from Synapse; sytest and Complement expect it): the spec asks
 * that they be ignored, and evaluation does (evaluate-push-rules.ts notificationOf), which makes
 * `["dont_notify"]` equivalent to `[]` as the spec requires.
 */
export function normaliseActions(actions: PushAction[]): PushAction[] {
  const kept: PushAction[] = [];
  for (const action of actions) {
    if (action === 'notify' || action === 'dont_notify' || action === 'coalesce') kept.push(action);
    else if (typeof action === 'object' && typeof action.set_tweak === 'string') kept.push(action);
    else throw new MatrixError(400, 'M_INVALID_PARAM', `Unknown action ${JSON.stringify(action)}`);
  }
  return kept;
}

function checkUserRuleId(kind: PushRuleKind, ruleId: string): void {
  if (isServerDefault(ruleId) || /[/\\]/.test(ruleId)) {
    throw new MatrixError(400, 'M_INVALID_PARAM', `Invalid rule id ${ruleId}`);
  }
  // The spec: a room rule's id is the room id, a sender rule's id the sender's user id.
  if (kind === 'room' && !ruleId.startsWith('!')) {
    throw new MatrixError(400, 'M_INVALID_PARAM', 'A room rule id must be a room id');
  }
  if (kind === 'sender' && !ruleId.startsWith('@')) {
    throw new MatrixError(400, 'M_INVALID_PARAM', 'A sender rule id must be a user id');
  }
}

function ruleFields(kind: PushRuleKind, input: NewPushRule): Partial<PushRule> {
  if (kind === 'content') {
    if (input.pattern === undefined) {
      throw new MatrixError(400, 'M_MISSING_PARAM', 'A content rule needs a pattern');
    }
    return { pattern: input.pattern };
  }
  if (kind === 'override' || kind === 'underride' || kind === 'postcontent') {
    return { conditions: input.conditions ?? [] };
  }
  return {};
}

function ownIndex(set: PushRuleSet, kind: PushRuleKind, ruleId: string): number {
  return set[kind].filter((r) => !r.default).findIndex((r) => r.rule_id === ruleId);
}

function withOwnRules(set: PushRuleSet, kind: PushRuleKind, own: PushRule[]): PushRuleSet {
  const defaults = set[kind].filter((rule) => rule.default);
  const master = defaults.filter((rule) => rule.rule_id === MASTER);
  const rest = defaults.filter((rule) => rule.rule_id !== MASTER);
  return { ...set, [kind]: [...master, ...own, ...rest] };
}
