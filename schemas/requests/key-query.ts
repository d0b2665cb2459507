// Notary key queries: GET /_matrix/key/v2/query/{serverName} and POST /_matrix/key/v2/query.
// https://spec.matrix.org/latest/server-server-api/#querying-keys-through-another-server

const timestamp = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

export const keyQueryParams = {
  type: 'object',
  required: ['serverName'],
  properties: { serverName: { type: 'string', minLength: 1 } },
} as const;

export const keyQueryQuery = {
  type: 'object',
  properties: { minimum_valid_until_ts: timestamp },
} as const;

export interface KeyQueryParams {
  serverName: string;
}

export interface KeyQueryQuery {
  minimum_valid_until_ts?: number;
}

export const keyQueryBody = {
  type: 'object',
  required: ['server_keys'],
  properties: {
    server_keys: {
      type: 'object',
      // Each server asked about may cost a fetch: a bound keeps one request from fanning out.
      maxProperties: 100,
      additionalProperties: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          properties: { minimum_valid_until_ts: timestamp },
        },
      },
    },
  },
} as const;

export interface KeyQueryBody {
  server_keys: Record<string, Record<string, { minimum_valid_until_ts?: number }>>;
}
