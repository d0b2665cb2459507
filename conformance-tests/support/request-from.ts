// In-process requests from a chosen client address (fastify inject's remoteAddress), for per-IP
// rate limits and proxy headers; otherwise like ClientHarness.call: no server faults, and JSON
// answers checked against the spec.
import assert from 'node:assert/strict';
import type { CallResult, ClientHarness } from './client-harness.ts';

export interface FromOptions {
  /** The peer address; fastify inject's default is 127.0.0.1. */
  ip?: string;
  token?: string;
  /** JSON body. */
  body?: unknown;
  /** Raw bytes (a media upload), sent as application/octet-stream. */
  bytes?: Buffer;
  headers?: Record<string, string>;
}

export async function callFrom(
  client: ClientHarness,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  options: FromOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let payload: string | Buffer | undefined;
  if (options.bytes !== undefined) {
    payload = options.bytes;
    headers['content-type'] = 'application/octet-stream';
  } else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await client.app.inject({
    method,
    url,
    headers,
    remoteAddress: options.ip ?? '127.0.0.1',
    ...(payload === undefined ? {} : { payload }),
  });
  const status = response.statusCode;
  assert.ok(status < 500, `${method} ${url} -> ${status} ${response.body}`);
  const body = response.body === '' ? undefined : response.json();
  client.spec.assertResponse({ method, path: url, status, body });
  return { status, body };
}
