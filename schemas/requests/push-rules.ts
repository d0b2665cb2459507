// Bodies and path parameters of the push rule endpoints.
// https://spec.matrix.org/latest/client-server-api/#push-rules-api

/**
 * The spec's kinds, and `postcontent` (MSC4306, thread subscriptions): rules with conditions,
 * evaluated after `content` and before `room`. Cairn has no default rule of that kind; clients
 * (Complement among them) look for MSC4306's and expect a 404, not a 400, when there are none.
 */
export const PUSH_RULE_KINDS = [
  'override',
  'underride',
  'sender',
  'room',
  'content',
  'postcontent',
] as const;
export type PushRuleKind = (typeof PUSH_RULE_KINDS)[number];

const actions = {
  type: 'array',
  maxItems: 100,
  items: { type: ['string', 'object'] },
} as const;

export const pushRuleParams = {
  type: 'object',
  required: ['kind', 'ruleId'],
  properties: {
    kind: { type: 'string', enum: PUSH_RULE_KINDS },
    ruleId: { type: 'string', minLength: 1, maxLength: 255 },
  },
} as const;

export interface PushRuleParams {
  kind: PushRuleKind;
  ruleId: string;
}

export const setPushRuleBody = {
  type: 'object',
  required: ['actions'],
  properties: {
    actions,
    conditions: {
      type: 'array',
      maxItems: 100,
      items: { type: 'object', required: ['kind'], properties: { kind: { type: 'string' } } },
    },
    pattern: { type: 'string', maxLength: 1000 },
  },
} as const;

export interface SetPushRuleBody {
  actions: (string | Record<string, unknown>)[];
  conditions?: Record<string, unknown>[];
  pattern?: string;
}

export const setPushRuleQuery = {
  type: 'object',
  properties: {
    before: { type: 'string', maxLength: 255 },
    after: { type: 'string', maxLength: 255 },
  },
} as const;

export interface SetPushRuleQuery {
  before?: string;
  after?: string;
}

export const setPushRuleEnabledBody = {
  type: 'object',
  required: ['enabled'],
  properties: { enabled: { type: 'boolean' } },
} as const;

export interface SetPushRuleEnabledBody {
  enabled: boolean;
}

export const setPushRuleActionsBody = {
  type: 'object',
  required: ['actions'],
  properties: { actions },
} as const;

export interface SetPushRuleActionsBody {
  actions: (string | Record<string, unknown>)[];
}
