// What the logs may say about a request. Fastify's own request serializer logs the URL as sent,
// and clients older than Matrix 1.11 still put `access_token` in the query string; the value is
// replaced before the line is written, whatever the log level. Bodies and headers are never
// logged (they carry passwords, tokens and X-Matrix signatures).
import type { LoggerOptions } from 'pino';

const SECRET_QUERY_PARAMS = /([?&](?:access_token|refresh_token|login_token|token|nonce)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMS, '$1<redacted>');
}

interface LoggedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly host?: string;
  readonly ip?: string;
  readonly socket?: { readonly remotePort?: number };
}

function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: request.url === undefined ? undefined : redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Logger options for the server's pino instance. */
export const LOG_REDACTION: Pick<LoggerOptions, 'serializers' | 'redact'> = {
  serializers: { req: serializeRequest },
  // Belt and braces: should anything log headers or a request body, these never reach the log.
  redact: {
    paths: [
      'req.headers.authorization',
      'headers.authorization',
      '*.password',
      '*.new_password',
      '*.access_token',
      '*.refresh_token',
      '*.registration_shared_secret',
      'password',
      'access_token',
      'refresh_token',
    ],
    censor: '<redacted>',
  },
};
