// The shape every endpoint file exports: method, path, optional schemas and a handler that gets
// the context explicitly. Handlers return the JSON body of a 200, or use `reply` for anything else.
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  HTTPMethods,
} from 'fastify';

export interface EndpointRequest<Body = unknown, Query = unknown, Params = unknown>
  extends FastifyRequest<{ Body: Body; Querystring: Query; Params: Params }> {}

export interface Endpoint<Ctx, Body = unknown, Query = unknown, Params = unknown> {
  readonly method: HTTPMethods | HTTPMethods[];
  readonly path: string;
  readonly schema?: FastifySchema;
  handler(
    ctx: Ctx,
    request: EndpointRequest<Body, Query, Params>,
    reply: FastifyReply,
  ): Promise<unknown> | unknown;
}

/** Identity function that keeps the generic parameters of one endpoint checked. */
export function defineEndpoint<Ctx, Body = unknown, Query = unknown, Params = unknown>(
  endpoint: Endpoint<Ctx, Body, Query, Params>,
): Endpoint<Ctx, Body, Query, Params> {
  return endpoint;
}

export function registerEndpoints<Ctx>(
  app: FastifyInstance,
  ctx: Ctx,
  // biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
  endpoints: readonly Endpoint<Ctx, any, any, any>[],
): void {
  for (const endpoint of endpoints) {
    app.route({
      method: endpoint.method,
      url: endpoint.path,
      ...(endpoint.schema ? { schema: endpoint.schema } : {}),
      handler: (request, reply) => endpoint.handler(ctx, request as never, reply),
    });
  }
}
