// The endpoint fuzzer's machinery, shared by the client and federation fuzz tests: every route the
// fastify app registered (so a new endpoint is fuzzed without anyone listing it), each route's own
// schemas, a fixed number of generated requests per route from a fixed seed, and the rules every
// answer must keep: no 5xx, no hang, an error is JSON with an errcode.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type {
  FastifyInstance,
  FastifySchema,
  InjectOptions,
  LightMyRequestResponse,
} from 'fastify';

export interface Route {
  readonly method: string;
  /** fastify's path: `/_matrix/client/v3/rooms/:roomId/state/:eventType`. */
  readonly path: string;
}

/** Inputs per route: 25 in `npm test`, CAIRN_FUZZ_RUNS for a longer run. */
export const FUZZ_RUNS = Number(process.env.CAIRN_FUZZ_RUNS ?? 25);
/** The base seed; each route's seed is derived from it and the route, so runs repeat exactly. */
export const FUZZ_SEED = Number(process.env.CAIRN_FUZZ_SEED ?? 20_261_121);
/** A request that has not been answered by then counts as a hang. */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Every method and path the app serves, read from fastify's own route tree (printRoutes), so the
 * list cannot drift from what is registered. HEAD (answered by the GET handler) is left out.
 * Call after app.ready(): plugin-scoped routes exist only then.
 */
export function listRoutes(app: FastifyInstance): Route[] {
  const routes: Route[] = [];
  // Each line is one node: tree drawing 4 characters per level, the node's part of the path,
  // and the methods served there. A node's path is its parent's plus its own part.
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack.push(path);
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      if (method !== 'HEAD') routes.push({ method, path });
    }
  }
  // The parse is checked against the router, so a change of printRoutes' format fails loudly.
  for (const route of routes) {
    if (!app.hasRoute({ method: route.method as 'GET', url: route.path })) {
      throw new Error(`route list parse is wrong: ${route.method} ${route.path} is not a route`);
    }
  }
  return routes;
}

/** The names of a path's parameters, in order (`*` for a wildcard). */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)\??|\*/g)].map((match) => match[1] ?? '*');
}

/** The path with each parameter replaced by the (already encoded) value given. */
export function fillPath(path: string, values: readonly string[]): string {
  let index = 0;
  return path.replace(/:([A-Za-z0-9_]+)\??|\*/g, () => values[index++] ?? '');
}

const PROBE_HEADER = 'x-fuzz-schema-probe';

/**
 * Reads each route's schemas (body, querystring, params) from the route itself: a hook answers
 * a request carrying the probe header with 204 before any handler runs, and records the schema.
 * Install before app.ready().
 */
export function schemaProbe(app: FastifyInstance): (route: Route) => Promise<FastifySchema> {
  const found = new Map<string, FastifySchema>();
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers[PROBE_HEADER] === undefined) return;
    found.set(`${request.method} ${request.routeOptions.url}`, request.routeOptions.schema ?? {});
    return reply.code(204).send();
  });
  return async (route) => {
    const values = pathParams(route.path).map(() => 'probe');
    await app.inject({
      method: route.method as 'GET',
      url: fillPath(route.path, values),
      headers: { [PROBE_HEADER]: '1' },
    });
    return found.get(`${route.method} ${route.path}`) ?? {};
  };
}

/** The route's own seed: the base seed and its method and path. */
export function routeSeed(route: Route): number {
  const hash = createHash('sha256').update(`${FUZZ_SEED} ${route.method} ${route.path}`).digest();
  return hash.readInt32BE(0);
}

/** Sends a request; undefined if it is not answered within REQUEST_TIMEOUT_MS. */
export async function injectWithTimeout(
  app: FastifyInstance,
  options: InjectOptions,
): Promise<LightMyRequestResponse | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), REQUEST_TIMEOUT_MS);
  });
  try {
    return await Promise.race([app.inject(options), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Keeps the last error a handler threw (requests are sent one at a time), so that a 500 in the
 * report says where it came from. Install before app.ready().
 */
export function recordHandlerErrors(app: FastifyInstance): { take(): string | undefined } {
  let last: Error | undefined;
  app.addHook('onError', async (_request, _reply, error) => {
    last = error;
  });
  return {
    take() {
      const error = last;
      last = undefined;
      if (!error) return undefined;
      const frames = (error.stack ?? '')
        .split('\n')
        .slice(1, 4)
        .map((line) => line.trim());
      return `${error.name}: ${error.message.slice(0, 200)} ${frames.join(' < ')}`;
    },
  };
}

/**
 * What is wrong with an answer to hostile input, or undefined if it is fine. `thrown` is what the
 * handler threw, for the report.
 */
export function answerProblem(
  response: LightMyRequestResponse | undefined,
  thrown?: string,
): string | undefined {
  if (response === undefined) return `no answer within ${REQUEST_TIMEOUT_MS} ms`;
  const status = response.statusCode;
  const body = response.body.slice(0, 300);
  // Every other server is unreachable in these tests: 502 and 504 are the spec's answers when a
  // request needed one (remote media), so long as they are proper error bodies.
  const gateway = status === 502 || status === 504;
  if (status >= 500 && !gateway) return `${status} ${body}${thrown ? ` thrown: ${thrown}` : ''}`;
  const type = String(response.headers['content-type'] ?? '');
  if (status >= 400) {
    if (!type.startsWith('application/json')) return `${status} with content-type ${type}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      return `${status} with a body that is not JSON: ${body}`;
    }
    const errcode = (parsed as { errcode?: unknown } | null)?.errcode;
    // User-interactive authentication asks for a stage with a 401 that has no errcode until an
    // attempt failed: https://spec.matrix.org/latest/client-server-api/#user-interactive-api-in-the-rest-api
    if (status === 401 && Array.isArray((parsed as { flows?: unknown }).flows)) return undefined;
    if (typeof errcode !== 'string' || !/^[A-Z][A-Z0-9_.]*$/i.test(errcode)) {
      return `${status} without an errcode: ${body}`;
    }
    return undefined;
  }
  if (type.startsWith('application/json') && response.body !== '') {
    try {
      JSON.parse(response.body);
    } catch {
      return `${status} with a JSON content-type and a body that is not JSON: ${body}`;
    }
  }
  return undefined;
}

export interface FuzzFinding {
  readonly route: string;
  readonly problem: string;
  readonly input: string;
}

export interface FuzzResult {
  /** Requests sent, shrinking included. */
  tried: number;
  readonly findings: FuzzFinding[];
  /** How many answers had each status class (`2xx`, `4xx`, ...): how deep the inputs got. */
  readonly statuses: Record<string, number>;
}

/** "2xx: 120, 4xx: 900" */
export function formatStatuses(statuses: Record<string, number>): string {
  return Object.entries(statuses)
    .sort()
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
}

/**
 * Fuzzes each route with `runs` inputs from `inputs(route)`. `send` makes the request and returns
 * the status and any problem. A failing route is shrunk to a small input and recorded; the other
 * routes still run.
 */
export async function fuzzRoutes<Input>(options: {
  routes: readonly Route[];
  inputs: (route: Route) => Promise<fc.Arbitrary<Input>>;
  send: (route: Route, input: Input) => Promise<{ status?: number; problem?: string }>;
  describe: (route: Route, input: Input) => string;
  runs?: number;
}): Promise<FuzzResult> {
  const result: FuzzResult = { tried: 0, findings: [], statuses: {} };
  for (const route of options.routes) {
    const arbitrary = await options.inputs(route);
    const details = await fc.check(
      fc.asyncProperty(arbitrary, async (input) => {
        result.tried++;
        const { status, problem } = await options.send(route, input);
        // 5xx are listed by code: only the allowed gateway answers (502, 504) can be among them.
        const key =
          status === undefined ? 'none' : status >= 500 ? String(status) : `${String(status)[0]}xx`;
        result.statuses[key] = (result.statuses[key] ?? 0) + 1;
        if (problem !== undefined) throw new Error(problem);
      }),
      { numRuns: options.runs ?? FUZZ_RUNS, seed: routeSeed(route) },
    );
    if (details.failed) {
      const error = details.errorInstance;
      result.findings.push({
        route: `${route.method} ${route.path}`,
        problem: error instanceof Error ? error.message : String(error),
        input: details.counterexample ? options.describe(route, details.counterexample[0]) : '?',
      });
    }
  }
  return result;
}

/** Errors that escaped every handler while `fn` ran: a crash in production. */
export async function collectEscapedErrors(fn: () => Promise<void>): Promise<unknown[]> {
  const escaped: unknown[] = [];
  const onError = (error: unknown) => escaped.push(error);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    await fn();
  } finally {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
  return escaped;
}

/** A short, printable account of a request for a report. */
export function describeRequest(request: {
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  kind?: string;
}): string {
  const payload =
    request.payload === undefined
      ? '(no body)'
      : Buffer.isBuffer(request.payload)
        ? `bytes ${request.payload.subarray(0, 200).toString('hex')}${request.payload.length > 200 ? '...' : ''} (${request.payload.length} bytes)`
        : `${JSON.stringify(request.payload.slice(0, 300))}${request.payload.length > 300 ? '...' : ''} (${request.payload.length} chars)`;
  return `${request.kind ?? ''} ${request.method} ${request.url.slice(0, 300)} ${JSON.stringify(request.headers ?? {}).slice(0, 200)} ${payload}`;
}
