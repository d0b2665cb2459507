// Query strings of the endpoints that read a room's history: /messages, /context, /relations
// and /threads. Query values arrive as text and are coerced to these types; tokens and filters
// are parsed by the handlers (server/client-api/rooms/pagination-params.ts).
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3roomsroomidmessages

const token = { type: 'string', maxLength: 255 } as const;
const limit = { type: 'integer', minimum: 0, maximum: 1_000_000 } as const;
const filter = { type: 'string', maxLength: 65536 } as const;

/**
 * `dir` is required, but checked by the handler after the room access check: a user who may not
 * read the room learns that (403) whatever the query (sytest and Complement ask for it so).
 */
export const messagesQuery = {
  type: 'object',
  properties: { dir: { enum: ['b', 'f'] }, from: token, to: token, limit, filter },
} as const;

export interface MessagesQuery {
  dir?: 'b' | 'f';
  from?: string;
  to?: string;
  limit?: number;
  filter?: string;
}

export const contextQuery = {
  type: 'object',
  properties: { limit, filter },
} as const;

export interface ContextQuery {
  limit?: number;
  filter?: string;
}

export const relationsQuery = {
  type: 'object',
  properties: {
    dir: { enum: ['b', 'f'] },
    from: token,
    to: token,
    limit,
    recurse: { type: 'boolean' },
  },
} as const;

export interface RelationsQuery {
  dir?: 'b' | 'f';
  from?: string;
  to?: string;
  limit?: number;
  recurse?: boolean;
}

export const threadsQuery = {
  type: 'object',
  properties: {
    include: { enum: ['all', 'participated'] },
    // The spec asks for an integer greater than zero here.
    limit: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    from: token,
  },
} as const;

export interface ThreadsQuery {
  include?: 'all' | 'participated';
  limit?: number;
  from?: string;
}
