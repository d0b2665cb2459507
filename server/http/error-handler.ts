// Every error leaves as `{errcode, error}` with the spec's status code. Bad input maps to the
// spec's client errors; only a genuine server fault becomes a 500, and it is logged.
// https://spec.matrix.org/latest/client-server-api/#standard-error-response
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { isDatabaseUnavailable } from '../storage/database-unavailable.ts';
import { MatrixError, unrecognized } from './matrix-error.ts';

export function useMatrixErrors(app: FastifyInstance): void {
  // A second router that only knows which methods each path has, for 405 vs 404.
  const knownPaths = FindMyWay({ ignoreTrailingSlash: false });
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      try {
        knownPaths.on(method as 'GET', route.url, () => {});
      } catch {
        // the same method and path registered twice on the main router fails there, not here
      }
    }
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH'].filter(
      (method) => method !== request.method && knownPaths.find(method as 'GET', path) !== null,
    );
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      sendError(
        reply,
        new MatrixError(405, 'M_UNRECOGNIZED', `Method ${request.method} not allowed here`),
      );
      return;
    }
    sendError(reply, unrecognized(`Unrecognized request: ${request.method} ${path}`));
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    sendError(reply, toMatrixError(error, request));
  });
}

export function toMatrixError(error: FastifyError, request?: FastifyRequest): MatrixError {
  if (error instanceof MatrixError) return error;
  if (error.validation) {
    const first = error.validation[0];
    const context = error.validationContext ?? 'body';
    const field = first ? fieldName(first) : '';
    if (context === 'body') {
      if (first?.instancePath === '' && first.keyword === 'type' && request?.body === undefined) {
        return new MatrixError(400, 'M_NOT_JSON', 'Request body must be a JSON object');
      }
      const problem =
        first?.keyword === 'required'
          ? `Missing field: ${field}`
          : first?.keyword === 'additionalProperties'
            ? `Unknown field: ${field}`
            : `${field || 'body'} ${first?.message ?? 'is invalid'}`;
      return new MatrixError(400, 'M_BAD_JSON', problem);
    }
    if (first?.keyword === 'required') {
      return new MatrixError(400, 'M_MISSING_PARAM', `Missing parameter: ${field}`);
    }
    return new MatrixError(
      400,
      'M_INVALID_PARAM',
      `${field || context} ${first?.message ?? 'is invalid'}`,
    );
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new MatrixError(413, 'M_TOO_LARGE', 'Request body too large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new MatrixError(400, 'M_NOT_JSON', 'Content not JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new MatrixError(400, 'M_UNKNOWN', 'Content-Length does not match the body');
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new MatrixError(status, 'M_UNKNOWN', error.message);
  }
  if (isDatabaseUnavailable(error)) {
    // Not a fault of Cairn's: the client should retry, and the pool reconnects by itself.
    request?.log.warn({ err: error }, 'database unavailable');
    return new MatrixError(503, 'M_UNKNOWN', 'The database is unavailable; try again shortly');
  }
  request?.log.error({ err: error }, 'unhandled error');
  return new MatrixError(500, 'M_UNKNOWN', 'Internal server error');
}

function fieldName(issue: {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}): string {
  const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (issue.keyword === 'required') {
    const missing = String(issue.params.missingProperty);
    return path ? `${path}.${missing}` : missing;
  }
  if (issue.keyword === 'additionalProperties') {
    const extra = String(issue.params.additionalProperty);
    return path ? `${path}.${extra}` : extra;
  }
  return path;
}

export function sendError(reply: FastifyReply, error: MatrixError): void {
  // Rate limited: the wait in whole seconds as an HTTP header too (spec v1.10, MSC4041), for
  // clients and proxies that read the header rather than `retry_after_ms`.
  const retryAfterMs = error.extra.retry_after_ms;
  if (error.status === 429 && typeof retryAfterMs === 'number') {
    reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }
  reply.status(error.status).type('application/json').send(error.toJSON());
}
