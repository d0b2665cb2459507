// GET https://<hostname>/.well-known/matrix/server, step 3 of server name resolution: which
// server, if any, the hostname delegates federation to, and how long the answer may be reused.
// https://spec.matrix.org/latest/server-server-api/#getwell-knownmatrixserver
import { type Dispatcher, request } from 'undici';
import { readLimitedBody } from './read-limited-body.ts';
import { formatAuthority, parseServerName } from './server-name.ts';

export type WellKnownAnswer =
  /** `m.server`, validated; `maxAgeMs` from the response's caching headers, if they say. */
  | { readonly server: string; readonly maxAgeMs: number | undefined }
  /** Anything else (network error, non-200, bad JSON, bad m.server): resolution goes on to SRV. */
  | { readonly error: string };

export type WellKnownFetcher = (hostname: string) => Promise<WellKnownAnswer>;

export interface WellKnownFetcherOptions {
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function wellKnownFetcher(
  dispatcher: Dispatcher,
  { timeoutMs = 10_000, maxBytes = 50 * 1024, maxRedirects = 5 }: WellKnownFetcherOptions = {},
): WellKnownFetcher {
  return async (hostname) => {
    let url = `https://${formatAuthority(hostname)}/.well-known/matrix/server`;
    const visited = new Set<string>();
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      for (;;) {
        visited.add(url);
        const response = await request(url, { dispatcher, method: 'GET', signal });
        if (REDIRECTS.has(response.statusCode)) {
          await response.body.dump();
          const location = response.headers.location;
          if (typeof location !== 'string') return { error: 'redirect without a Location' };
          url = new URL(location, url).href;
          // TLS is what makes the answer trustworthy: a redirect may not leave HTTPS.
          if (!url.startsWith('https://')) return { error: `redirect to ${url}` };
          if (visited.has(url)) return { error: 'redirect loop' };
          if (visited.size > maxRedirects) return { error: 'too many redirects' };
          continue;
        }
        if (response.statusCode !== 200) {
          await response.body.dump();
          return { error: `HTTP ${response.statusCode}` };
        }
        const body = await readLimitedBody(response, maxBytes);
        const server = mServerOf(body);
        if (server === undefined) return { error: 'no valid m.server in the response' };
        return { server, maxAgeMs: cacheLifetimeMs(response.headers, Date.now()) };
      }
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
}

function mServerOf(body: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const server = (parsed as Record<string, unknown>)['m.server'];
  if (typeof server !== 'string') return undefined;
  try {
    parseServerName(server);
  } catch {
    return undefined;
  }
  return server;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** How long the response says it may be cached (Cache-Control, else Expires), or undefined when
 * it does not say. no-store and no-cache count as 0; the caller applies its bounds. */
export function cacheLifetimeMs(headers: Headers, now: number): number | undefined {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const cacheControl = header('cache-control');
  if (cacheControl !== undefined) {
    const directives = cacheControl
      .toLowerCase()
      .split(',')
      .map((d) => d.trim());
    if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
    for (const directive of directives) {
      const match = /^max-age\s*=\s*"?(\d+)"?$/.exec(directive);
      if (match) return Number(match[1]) * 1000;
    }
  }
  const expires = header('expires');
  if (expires !== undefined) {
    const at = Date.parse(expires);
    // An invalid Expires means "already expired" (RFC 9111).
    return Number.isNaN(at) ? 0 : Math.max(0, at - now);
  }
  return undefined;
}
