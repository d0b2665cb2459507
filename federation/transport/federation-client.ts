// Outbound federation requests: resolve the destination's server name, connect where it says
// with the Host header (and so the TLS server name) it says, sign with the X-Matrix header when a
// signer is given, and return the JSON reply. Timeouts and a response size limit apply to every
// request; non-2xx replies become FederationHttpError with the remote errcode.
import type { Readable } from 'node:stream';
import { type Dispatcher, request } from 'undici';
import { readLimitedBody } from './read-limited-body.ts';
import type { ResolvedServer, ServerNameResolver } from './resolve-server-name.ts';
import { formatAuthority } from './server-name.ts';

/** Returns the Authorization header for a request: the X-Matrix signer plugs in here. */
export type Authorize = (
  method: string,
  uri: string,
  destination: string,
  body: unknown,
) => string | Promise<string>;

export interface FederationRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path and query string, already percent-encoded: exactly what is sent and signed. */
  readonly path: string;
  /** Sent as JSON; undefined sends no body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Larger replies (send_join's state, say) may raise the default. */
  readonly maxResponseBytes?: number;
}

export interface FederationResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

export interface FederationClientOptions {
  readonly dispatcher: Dispatcher;
  readonly resolver: ServerNameResolver;
  readonly authorize?: Authorize;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

/** A 2xx reply whose body is read as it arrives (media), not held in memory. */
export interface FederationStreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
}

export interface FederationClient {
  request(destination: string, request: FederationRequest): Promise<FederationResponse>;
  /** Like request, but the body streams; non-2xx still throws FederationHttpError. */
  stream(destination: string, request: FederationRequest): Promise<FederationStreamResponse>;
  /**
   * An unsigned GET of a URL another server pointed us to (a media `Location`), over the same
   * connection policy (no private addresses unless allowed). `destination` names who sent us.
   */
  streamUrl(
    destination: string,
    url: string,
    timeoutMs?: number,
  ): Promise<FederationStreamResponse>;
}

/** No usable reply: the name did not resolve, the connection or TLS failed, the address was
 * refused, the time ran out, or the reply was too large or not JSON. */
export class FederationRequestError extends Error {
  override name = 'FederationRequestError';
  readonly destination: string;
  constructor(destination: string, message: string, options?: { cause?: unknown }) {
    super(`${destination}: ${message}`, options);
    this.destination = destination;
  }
}

/** The remote server answered with a non-2xx status. */
export class FederationHttpError extends FederationRequestError {
  override name = 'FederationHttpError';
  readonly status: number;
  /** The parsed JSON body, or undefined when it was not JSON. */
  readonly body: unknown;
  readonly errcode: string | undefined;
  constructor(destination: string, status: number, body: unknown) {
    const errcode =
      typeof body === 'object' &&
      body !== null &&
      typeof (body as { errcode?: unknown }).errcode === 'string'
        ? (body as { errcode: string }).errcode
        : undefined;
    super(destination, `HTTP ${status}${errcode ? ` ${errcode}` : ''}`);
    this.status = status;
    this.body = body;
    this.errcode = errcode;
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export function createFederationClient(options: FederationClientOptions): FederationClient {
  /** Resolves, signs and sends; returns undici's response with its body not yet read. */
  async function send(
    destination: string,
    req: FederationRequest,
    signal: AbortSignal | undefined,
    accept: string,
    idleMs?: number,
  ): Promise<{ origin: string; response: Dispatcher.ResponseData }> {
    const fail = (message: string, cause?: unknown) =>
      new FederationRequestError(destination, message, { cause });
    if (!req.path.startsWith('/')) throw fail(`request path must start with /: ${req.path}`);
    let target: ResolvedServer;
    try {
      target = await options.resolver.resolve(destination);
    } catch (err) {
      throw fail(`cannot resolve the server name: ${(err as Error).message}`, err);
    }
    const headers: Record<string, string> = {
      // Lower-cased, so a caller's `Host` or `Authorization` cannot ride alongside ours.
      ...Object.fromEntries(
        Object.entries(req.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
      ),
      host: target.hostHeader,
      accept,
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    if (options.authorize) {
      headers.authorization = await options.authorize(req.method, req.path, destination, req.body);
    }
    const origin = `https://${formatAuthority(target.host, target.port)}`;
    try {
      const response = await request(`${origin}${req.path}`, {
        dispatcher: options.dispatcher,
        method: req.method,
        headers,
        body,
        ...(signal ? { signal } : {}),
        ...(idleMs === undefined ? {} : { headersTimeout: idleMs, bodyTimeout: idleMs }),
      });
      return { origin, response };
    } catch (err) {
      throw fail(`${req.method} ${req.path} via ${origin}: ${describe(err)}`, err);
    }
  }

  return {
    async request(destination, req) {
      const timeoutMs = req.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const maxBytes =
        req.maxResponseBytes ?? options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
      const { origin, response } = await send(
        destination,
        req,
        AbortSignal.timeout(timeoutMs),
        'application/json',
      );
      let raw: Buffer;
      try {
        raw = await readLimitedBody(response, maxBytes);
      } catch (err) {
        throw new FederationRequestError(
          destination,
          `${req.method} ${req.path} via ${origin}: ${describe(err)}`,
          { cause: err },
        );
      }
      const parsed = parseJson(raw);
      if (response.statusCode < 200 || response.statusCode > 299) {
        throw new FederationHttpError(
          destination,
          response.statusCode,
          parsed.ok ? parsed.value : undefined,
        );
      }
      if (!parsed.ok) {
        throw new FederationRequestError(
          destination,
          `${req.method} ${req.path}: the reply is not JSON`,
        );
      }
      return { status: response.statusCode, headers: response.headers, body: parsed.value };
    },

    async stream(destination, req) {
      // No overall deadline (a large file takes its time); the wait for the headers and every
      // wait for the next bytes are bounded instead (undici's headersTimeout and bodyTimeout).
      const idleMs = req.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const { response } = await send(destination, req, undefined, '*/*', idleMs);
      return toStreamResponse(destination, response);
    },

    async streamUrl(destination, url, timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS) {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          dispatcher: options.dispatcher,
          method: 'GET',
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (err) {
        throw new FederationRequestError(destination, `GET ${url}: ${describe(err)}`, {
          cause: err,
        });
      }
      return toStreamResponse(destination, response);
    },
  };
}

async function toStreamResponse(
  destination: string,
  response: Dispatcher.ResponseData,
): Promise<FederationStreamResponse> {
  if (response.statusCode < 200 || response.statusCode > 299) {
    let parsed: { ok: true; value: unknown } | { ok: false } = { ok: false };
    try {
      parsed = parseJson(await readLimitedBody(response, 64 * 1024));
    } catch {
      // An error reply too large or cut off says no more than its status.
    }
    throw new FederationHttpError(
      destination,
      response.statusCode,
      parsed.ok ? parsed.value : undefined,
    );
  }
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

function parseJson(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici wraps a connector's error; the cause says what really happened.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
