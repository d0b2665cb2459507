// GET <metrics_path> (default /_cairn/metrics): Prometheus text format.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';

export function getMetrics(path: string): Endpoint<Context> {
  return {
    method: 'GET',
    path,
    handler: async (ctx, _request, reply) =>
      reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
  };
}
