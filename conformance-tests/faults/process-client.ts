// Plain HTTP clients of a Cairn process for the fault tests: register, send, sync, with timing.
// No SDK: the tests measure latencies and hold thousands of requests, and want to see each one.
import { Agent, request } from 'undici';

export interface ProcessUser {
  readonly userId: string;
  readonly accessToken: string;
}

export interface CallReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly ms: number;
}

/** A client of one base URL with its own connection pool. */
export interface ProcessClient {
  readonly baseUrl: string;
  call(
    method: 'GET' | 'PUT' | 'POST',
    path: string,
    options?: { token?: string; body?: unknown; timeoutMs?: number },
  ): Promise<CallReply>;
  register(username: string): Promise<ProcessUser>;
  close(): Promise<void>;
}

export function processClient(baseUrl: string, connections = 64): ProcessClient {
  const dispatcher = new Agent({ connections, keepAliveTimeout: 60_000 });
  const call: ProcessClient['call'] = async (method, path, options = {}) => {
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? 60_000;
    const response = await request(`${baseUrl}${path}`, {
      dispatcher,
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await response.body.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: response.statusCode, body, ms: performance.now() - started };
  };
  return {
    baseUrl,
    call,
    async register(username) {
      const body = { username, password: 'fault tests password', auth: { type: 'm.login.dummy' } };
      let reply = await call('POST', '/_matrix/client/v3/register', { body });
      if (reply.status === 401) {
        const session = reply.body.session as string;
        reply = await call('POST', '/_matrix/client/v3/register', {
          body: { ...body, auth: { type: 'm.login.dummy', session } },
        });
      }
      if (reply.status !== 200) {
        throw new Error(`register ${username}: ${reply.status} ${JSON.stringify(reply.body)}`);
      }
      return {
        userId: reply.body.user_id as string,
        accessToken: reply.body.access_token as string,
      };
    },
    close: () => dispatcher.close(),
  };
}

export const enc = encodeURIComponent;

/** The bodies of m.room.message events in a /sync reply's timeline of `roomId`. */
export function syncedBodies(syncBody: Record<string, unknown>, roomId: string): string[] {
  const rooms = syncBody.rooms as
    | { join?: Record<string, { timeline?: { events?: { content?: { body?: unknown } }[] } }> }
    | undefined;
  const events = rooms?.join?.[roomId]?.timeline?.events ?? [];
  return events
    .map((event) => event.content?.body)
    .filter((body): body is string => typeof body === 'string');
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** VmRSS of a process in MiB, from /proc (Linux). */
export async function rssMiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}
