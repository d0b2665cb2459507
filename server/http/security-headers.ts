// Headers on every response of both listeners, set before any handler runs so that errors, 404s
// and CORS preflights carry them too. Media replies replace the policy with their own
// (media/content-headers.ts): those bytes may be rendered by a browser, a JSON reply never is.
//
// - nosniff: a browser must not guess a type other than the one declared (a JSON body holding
//   user-chosen strings must never be run as HTML or script).
// - frame-ancestors / X-Frame-Options: no page may embed an API response (clickjacking).
// - default-src 'none': nothing a response might be mistaken for may load or run anything.
// - no-referrer: API URLs can carry room ids and, in old clients, `access_token` query parameters.
// - no-store on requests carrying credentials: answers for one user must not be kept by a shared
//   cache or the browser's disk cache.
// - HSTS only on a listener serving TLS itself (the federation listener); the client listener sits
//   behind a reverse proxy that terminates TLS and is the one to set it.
import type { FastifyInstance } from 'fastify';

export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

const HSTS = 'max-age=31536000';

function carriesCredentials(headers: Record<string, unknown>, url: string): boolean {
  return headers.authorization !== undefined || /[?&]access_token=/.test(url);
}

export function useSecurityHeaders(app: FastifyInstance, options: { tls: boolean }): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(API_SECURITY_HEADERS);
    if (options.tls) reply.header('strict-transport-security', HSTS);
    if (carriesCredentials(request.headers, request.url)) reply.header('cache-control', 'no-store');
  });
}
