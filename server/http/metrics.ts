// Prometheus metrics with prom-client, on a registry per app so tests can build several apps.
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'listener' | 'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'listener' | 'method' | 'route'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cairn_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'cairn_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status',
      labelNames: ['listener', 'method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'cairn_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by route pattern',
      labelNames: ['listener', 'method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
  };
}

export function recordRequestMetrics(
  app: FastifyInstance,
  metrics: Metrics,
  listener: string,
): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL, keeps the label set small.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({
      listener,
      method: request.method,
      route,
      status: String(reply.statusCode),
    });
    metrics.httpDuration.observe(
      { listener, method: request.method, route },
      reply.elapsedTime / 1000,
    );
  });
}
