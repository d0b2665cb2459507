// Checks Cairn's HTTP responses against the Matrix specification's own OpenAPI 3.1 files
// (data/api, data/schemas, data/event-schemas of matrix-org/matrix-spec). For tests only: the
// product never reads ../shared at run time.
//
// Every YAML file is added to ajv under its file URL, so the spec's relative `$ref`s
// (`definitions/errors/error.yaml`, `../../event-schemas/schema/...`, `#/components/schemas/x`)
// resolve exactly as written. A response schema is compiled the first time it is asked for, by
// reference to its place in its document (`file:///.../rooms.yaml#/paths/...`), so same-file refs
// keep their document as base.
import { AssertionError } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export type SpecApi =
  | 'client-server'
  | 'server-server'
  | 'application-service'
  | 'identity'
  | 'push-gateway';

export interface ResponseToCheck {
  /** Omit to search every API. */
  api?: SpecApi;
  method: string;
  /** The request path as sent (percent-encoded); a query string is ignored. */
  path: string;
  status: number;
  body: unknown;
}

/** `operation` names what was checked; `schemaChecked` is false when the spec gives no schema. */
export type ValidationResult =
  | { valid: true; operation: string; schemaChecked: boolean; errors?: undefined }
  | { valid: false; errors: string[]; operation?: string };

export interface MatchedOperation {
  api: string;
  method: string;
  /** The full path template: `/_matrix/client/v3/rooms/{roomId}/state`. */
  template: string;
  operationId: string | undefined;
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
}

export interface SpecValidator {
  readonly dataDir: string;
  readonly loadMs: number;
  findOperation(
    api: SpecApi | undefined,
    method: string,
    path: string,
  ): MatchedOperation | undefined;
  validateResponse(response: ResponseToCheck): ValidationResult;
  /** Throws an AssertionError listing the errors and the body. */
  assertResponse(response: ResponseToCheck): void;
  /** Compiles every JSON response schema in the spec; returns how many. */
  compileAll(): number;
}

type Json = Record<string, unknown>;

interface Route {
  api: string;
  docUrl: string;
  pathKey: string;
  pathItem: Json;
  /** Base path and path key, split on `/`: `['', '_matrix', 'client', 'v3', 'rooms', '{roomId}']`. */
  segments: string[];
  /** The last parameter may be left out with its slash (`state/{eventType}/{stateKey}`). */
  optionalTail: boolean;
}

/** A value and where it sits, so that a schema compiles with its own document as base. */
interface Located {
  docUrl: string;
  pointer: string[];
  value: unknown;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const MAX_ERRORS = 30;

// The spec pairs mx-user-id, mx-room-id, ... with a `pattern`; these three have none.
const MATRIX_FORMATS: Record<string, RegExp> = {
  'mx-unpadded-base64': /^[A-Za-z0-9+/]*$/,
  'mx-urlsafe-unpadded-base64': /^[A-Za-z0-9_-]*$/,
  'mx-server-name': /^(?:\[[0-9A-Fa-f:.]+\]|[0-9A-Za-z.-]{1,255})(?::[0-9]{1,5})?$/,
};

const validators = new Map<string, Promise<SpecValidator>>();

/** The spec's data directory: CAIRN_MATRIX_SPEC_DIR, else `<repo>/../shared/matrix-spec`. */
export function specDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const repo = join(import.meta.dirname, '..', '..');
  const dir = resolve(env.CAIRN_MATRIX_SPEC_DIR ?? join(repo, '..', 'shared', 'matrix-spec'));
  for (const candidate of [join(dir, 'data'), dir]) {
    if (existsSync(join(candidate, 'api'))) return candidate;
  }
  throw new Error(`Matrix spec data not found at ${dir} (set CAIRN_MATRIX_SPEC_DIR)`);
}

/** Loads the spec once per process (per data directory); schemas compile on first use. */
export function loadSpecValidator(options: { dataDir?: string } = {}): Promise<SpecValidator> {
  const dataDir = options.dataDir ?? specDataDir();
  let validator = validators.get(dataDir);
  if (!validator) {
    validator = Promise.resolve().then(() => createValidator(dataDir));
    validators.set(dataDir, validator);
  }
  return validator;
}

function createValidator(dataDir: string): SpecValidator {
  const started = performance.now();
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  ajvFormats.default(ajv);
  const formats = parseYaml(readFileSync(join(dataDir, 'string-formats.yaml'), 'utf8')) as Json;
  for (const name of Object.keys(formats)) {
    if (!ajv.formats[name]) ajv.addFormat(name, MATRIX_FORMATS[name] ?? true);
  }

  const docs = new Map<string, Json>();
  const routes: Route[] = [];
  for (const folder of ['api', 'schemas', 'event-schemas']) {
    const entries = readdirSync(join(dataDir, folder), { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
      const file = join(entry.parentPath, entry.name);
      const url = pathToFileURL(file).href;
      const doc = parseYaml(readFileSync(file, 'utf8')) as Json;
      docs.set(url, doc);
      // An explicit $id, not just the addSchema key: ajv takes the base URI of a whole-document
      // $ref target from the target's own $id, and otherwise keeps the referring document's.
      doc.$id = url;
      ajv.addSchema(doc);
      const api = folder === 'api' ? entry.parentPath.slice(join(dataDir, 'api').length + 1) : '';
      if (isObject(doc.paths) && !api.includes('/')) routes.push(...routesOf(api, url, doc));
    }
  }
  const errorSchemaFile = join(
    dataDir,
    'api',
    'client-server',
    'definitions',
    'errors',
    'error.yaml',
  );
  const standardError = { docUrl: pathToFileURL(errorSchemaFile).href, pointer: [], value: {} };
  const compiled = new Map<string, ValidateFunction>();
  const deref = (loc: Located) => derefIn(docs, loc);

  function findRoute(api: string | undefined, method: string, path: string) {
    const requested = requestSegments(path);
    let best: { route: Route; rank: number[]; params: Record<string, string> } | undefined;
    const others: string[] = [];
    for (const route of routes) {
      if (api && route.api !== api) continue;
      const match = matchRoute(route, requested);
      if (!match) continue;
      if (isObject(route.pathItem[method])) {
        if (!best || compareRanks(match.rank, best.rank) > 0) best = { route, ...match };
      } else {
        const template = route.segments.join('/');
        const methods = METHODS.filter((m) => isObject(route.pathItem[m]));
        others.push(...methods.map((m) => `${m.toUpperCase()} ${template}`));
      }
    }
    return { best, others };
  }

  function responsesOf(route: Route, method: string): Located {
    const operation = {
      docUrl: route.docUrl,
      pointer: ['paths', route.pathKey, method],
      value: route.pathItem[method],
    };
    return deref(child(operation, 'responses'));
  }

  // The `application/json` schema of a response object, if it has one.
  function jsonSchemaOf(response: Located): Located | undefined {
    const content = child(deref(response), 'content');
    if (!isObject(content.value)) return undefined;
    const json = deref(child(content, 'application/json'));
    return isObject(json.value) && json.value.schema !== undefined
      ? child(json, 'schema')
      : undefined;
  }

  function compileAt(loc: Located): ValidateFunction {
    const ref = `${loc.docUrl}#${loc.pointer.map((s) => `/${encodePointerSegment(s)}`).join('')}`;
    let validate = compiled.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      compiled.set(ref, validate);
    }
    return validate;
  }

  function check(schema: Located, body: unknown, operation: string): ValidationResult {
    const validate = compileAt(schema);
    if (validate(body)) return { valid: true, operation, schemaChecked: true };
    return { valid: false, operation, errors: formatErrors(validate.errors ?? []) };
  }

  function findOperation(api: SpecApi | undefined, method: string, path: string) {
    const { best } = findRoute(api, method.toLowerCase(), path);
    if (!best) return undefined;
    const { operationId } = best.route.pathItem[method.toLowerCase()] as Json;
    return {
      api: best.route.api,
      method: method.toUpperCase(),
      template: best.route.segments.join('/'),
      operationId: typeof operationId === 'string' ? operationId : undefined,
      params: best.params,
    };
  }

  function validateResponse({
    api,
    method,
    path,
    status,
    body,
  }: ResponseToCheck): ValidationResult {
    const { best, others } = findRoute(api, method.toLowerCase(), path);
    if (!best) {
      const where = api ? `the ${api} API` : 'any API';
      const hint = others.length ? ` (the spec has ${others.join(', ')})` : '';
      return { valid: false, errors: [`no operation for ${method} ${path} in ${where}${hint}`] };
    }
    const { route } = best;
    const { operationId } = route.pathItem[method.toLowerCase()] as Json;
    const label = `${route.api} ${method.toUpperCase()} ${route.segments.join('/')} (${operationId})`;
    const responses = responsesOf(route, method.toLowerCase());
    const key = statusKey(responses.value, status);
    if (key === undefined && status < 400) {
      const documented = isObject(responses.value) ? Object.keys(responses.value).join(', ') : '';
      const error = `status ${status} is not documented for ${label} (only ${documented})`;
      return { valid: false, operation: label, errors: [error] };
    }
    const schema = key === undefined ? undefined : jsonSchemaOf(child(responses, key));
    if (schema) return check(schema, body, label);
    // Any endpoint may fail with a standard error response (spec: "API standards"), so a 4xx/5xx
    // that the spec leaves undocumented, or documents without a body, is held to that shape.
    if (status >= 400) {
      const why = key === undefined ? 'undocumented' : 'documented without a schema';
      return check(standardError, body, `${label}, ${why}: checked as a standard error`);
    }
    return { valid: true, operation: label, schemaChecked: false };
  }

  return {
    dataDir,
    loadMs: performance.now() - started,
    findOperation,
    validateResponse,
    assertResponse(response) {
      const result = validateResponse(response);
      if (result.valid) return;
      const json = JSON.stringify(response.body, null, 2) ?? String(response.body);
      const body = json.length > 4000 ? `${json.slice(0, 4000)}\n... (${json.length} chars)` : json;
      const request = `${response.method.toUpperCase()} ${response.path} -> ${response.status}`;
      const against = result.operation ? ` (${result.operation})` : '';
      const errors = result.errors.join('\n  ');
      throw new AssertionError({
        message: `${request} does not match the Matrix spec${against}:\n  ${errors}\nbody: ${body}`,
      });
    },
    compileAll() {
      let count = 0;
      for (const route of routes) {
        for (const method of METHODS.filter((m) => isObject(route.pathItem[m]))) {
          const responses = responsesOf(route, method);
          for (const key of isObject(responses.value) ? Object.keys(responses.value) : []) {
            const schema = jsonSchemaOf(child(responses, key));
            if (schema) compileAt(schema);
            if (schema) count++;
          }
        }
      }
      return count;
    },
  };
}

function routesOf(api: string, docUrl: string, doc: Json): Route[] {
  const basePath = basePathOf(doc);
  return Object.entries(doc.paths as Json).flatMap(([pathKey, pathItem]) => {
    if (!isObject(pathItem)) return [];
    const segments = (basePath + pathKey).split('/');
    const tail = /^\{(.+)\}$/.exec(segments.at(-1) ?? '')?.[1];
    const optionalTail = tail !== undefined && hasOptionalTrailingSlash(doc, pathItem, tail);
    return [{ api, docUrl, pathKey, pathItem, segments, optionalTail }];
  });
}

// `servers: [{ url: "{protocol}://{hostname}{basePath}", variables: {...} }]`: substitute each
// variable's default, keep the path.
function basePathOf(doc: Json): string {
  const server = (Array.isArray(doc.servers) ? doc.servers[0] : undefined) as
    | { url?: string; variables?: Record<string, { default?: unknown }> }
    | undefined;
  if (!server?.url) return '';
  const url = server.url.replace(/\{(\w+)\}/g, (_, name: string) =>
    String(server.variables?.[name]?.default ?? ''),
  );
  return new URL(url, 'https://localhost').pathname.replace(/\/$/, '');
}

// The spec documents `stateKey` as: "When an empty string, the trailing slash on this endpoint is
// optional." Read that from the parameter's description rather than hard-coding the name.
function hasOptionalTrailingSlash(doc: Json, pathItem: Json, name: string): boolean {
  const parameters = [pathItem, ...METHODS.map((m) => pathItem[m])].flatMap((o) =>
    isObject(o) && Array.isArray(o.parameters) ? o.parameters : [],
  );
  return parameters.some((p) => {
    const ref = isObject(p) && typeof p.$ref === 'string' ? p.$ref : undefined;
    const param = ref?.startsWith('#') ? at(doc, parsePointer(ref.slice(1))) : p;
    return (
      isObject(param) &&
      param.in === 'path' &&
      param.name === name &&
      /trailing slash[^.]*optional/i.test(String(param.description))
    );
  });
}

function requestSegments(path: string): string[] {
  const pathname = /^https?:\/\//.test(path)
    ? new URL(path).pathname
    : path.replace(/[?#].*$/s, '');
  return pathname.split('/');
}

// Each template segment is a literal or a whole `{param}`; a request segment is percent-decoded
// after splitting, so an encoded `/` stays inside its parameter.
function matchRoute({ segments, optionalTail }: Route, requested: string[]) {
  const omitted = optionalTail && requested.length === segments.length - 1;
  if (requested.length !== segments.length && !omitted) return undefined;
  const params: Record<string, string> = {};
  const rank: number[] = [];
  for (const [i, segment] of segments.entries()) {
    const param = /^\{(.+)\}$/.exec(segment)?.[1];
    const raw = requested[i] ?? '';
    const value = decode(raw);
    if (param === undefined) {
      if (value !== segment) return undefined;
      rank.push(2);
    } else {
      const mayBeEmpty = optionalTail && i === segments.length - 1;
      if (value === undefined || (value === '' && !mayBeEmpty)) return undefined;
      params[param] = value;
      rank.push(i < requested.length ? 1 : 0);
    }
  }
  return { rank, params };
}

// Leftmost literal wins: `/rooms/{roomId}/state` over `/rooms/{roomId}/{x}`.
function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -1) - (b[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

function statusKey(responses: unknown, status: number): string | undefined {
  if (!isObject(responses)) return undefined;
  const keys = Object.keys(responses);
  const range = `${Math.floor(status / 100)}XX`;
  return (
    keys.find((k) => k === String(status)) ??
    keys.find((k) => k.toUpperCase() === range) ??
    keys.find((k) => k === 'default')
  );
}

function child(loc: Located, key: string): Located {
  const value = isObject(loc.value) ? loc.value[key] : undefined;
  return { docUrl: loc.docUrl, pointer: [...loc.pointer, key], value };
}

// OpenAPI-level refs (`#/components/responses/rateLimited`) are not JSON Schema: follow them here.
function derefIn(docs: Map<string, Json>, start: Located): Located {
  let loc = start;
  for (let hops = 0; isObject(loc.value) && typeof loc.value.$ref === 'string'; hops++) {
    if (hops > 32) throw new Error(`$ref loop at ${start.docUrl}#/${start.pointer.join('/')}`);
    const target = new URL(loc.value.$ref, loc.docUrl);
    const pointer = parsePointer(decodeURIComponent(target.hash.slice(1)));
    target.hash = '';
    const doc = docs.get(target.href);
    if (!doc) throw new Error(`unresolvable $ref ${loc.value.$ref} in ${loc.docUrl}`);
    loc = { docUrl: target.href, pointer, value: at(doc, pointer) };
  }
  return loc;
}

function at(root: unknown, pointer: string[]): unknown {
  return pointer.reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), root);
}

function parsePointer(fragment: string): string[] {
  if (fragment === '') return [];
  return fragment
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function encodePointerSegment(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
}

function formatErrors(errors: ErrorObject[]): string[] {
  const lines = new Set<string>();
  for (const e of errors) {
    let line = `${e.instancePath || '(root)'}: ${e.message ?? e.keyword}`;
    if (e.keyword === 'additionalProperties') line += ` '${e.params.additionalProperty}'`;
    if (e.keyword === 'enum') line += ` ${JSON.stringify(e.params.allowedValues)}`;
    lines.add(line);
  }
  const all = [...lines];
  if (all.length <= MAX_ERRORS) return all;
  return [...all.slice(0, MAX_ERRORS), `... and ${all.length - MAX_ERRORS} more`];
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
