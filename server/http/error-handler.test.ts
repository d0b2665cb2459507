// Error mapping on a small app with one endpoint per kind of failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { registerEndpoints } from './endpoint.ts';
import { useMatrixErrors } from './error-handler.ts';
import { useJsonBodies } from './json-body.ts';
import { useBareJsonContentType } from './json-replies.ts';
import { forbidden } from './matrix-error.ts';
import { useAjvValidation } from './validation.ts';

function buildApp() {
  const app = Fastify({ bodyLimit: 1024 });
  useMatrixErrors(app);
  useJsonBodies(app);
  useBareJsonContentType(app);
  useAjvValidation(app);
  registerEndpoints(app, {}, [
    {
      method: 'PUT',
      path: '/things/:id',
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            size: { type: 'integer' },
            nested: { type: 'object', properties: { depth: { type: 'integer' } } },
          },
        },
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1 } } },
      },
      handler: (_ctx, request) => ({ ok: true, body: request.body, query: request.query }),
    },
    { method: 'GET', path: '/forbidden', handler: () => Promise.reject(forbidden('no')) },
    {
      method: 'GET',
      path: '/broken',
      handler: () => {
        throw new Error('bug');
      },
    },
  ]);
  return app;
}

async function call(
  method: 'GET' | 'PUT' | 'POST',
  url: string,
  payload?: string | Buffer,
  contentType?: string,
) {
  const response = await buildApp().inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload }),
    headers: contentType ? { 'content-type': contentType } : {},
  });
  return {
    status: response.statusCode,
    body: response.json() as Record<string, unknown>,
    headers: response.headers,
  };
}

test('a valid body passes, whatever content type the client sent', async () => {
  for (const type of ['application/json', 'text/plain', undefined]) {
    const { status, body } = await call('PUT', '/things/1?limit=5', '{"name":"a","size":2}', type);
    assert.equal(status, 200, String(type));
    assert.deepEqual(body, { ok: true, body: { name: 'a', size: 2 }, query: { limit: 5 } });
  }
});

test('unknown path: 404 M_UNRECOGNIZED; known path, wrong method: 405 M_UNRECOGNIZED', async () => {
  assert.deepEqual(await call('GET', '/nowhere').then((r) => [r.status, r.body.errcode]), [
    404,
    'M_UNRECOGNIZED',
  ]);
  const wrong = await call('GET', '/things/1');
  assert.equal(wrong.status, 405);
  assert.equal(wrong.body.errcode, 'M_UNRECOGNIZED');
  assert.equal(wrong.headers.allow, 'PUT');
});

test('a body that is not JSON: 400 M_NOT_JSON', async () => {
  for (const payload of ['{"name":', 'not json', '']) {
    const { status, body } = await call('PUT', '/things/1', payload, 'application/json');
    assert.equal(status, 400, payload);
    assert.equal(body.errcode, 'M_NOT_JSON', payload);
  }
});

test('a body that is not valid UTF-8: 400 M_NOT_JSON, even when the JSON around it parses', async () => {
  const invalid = Buffer.concat([
    Buffer.from('{"name":"a'),
    Buffer.from([0x81]),
    Buffer.from('"}'),
  ]);
  const { status, body } = await call('PUT', '/things/1', invalid, 'application/json');
  assert.equal(status, 400);
  assert.equal(body.errcode, 'M_NOT_JSON');
  const valid = await call('PUT', '/things/1', Buffer.from('{"name":"é☃😀"}'), 'application/json');
  assert.equal(valid.status, 200);
  assert.deepEqual(valid.body.body, { name: 'é☃😀' });
});

test('JSON replies, successes and errors alike, say exactly application/json', async () => {
  const ok = await call('PUT', '/things/1', '{"name":"a"}');
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['content-type'], 'application/json');
  for (const [method, url, payload] of [
    ['GET', '/nowhere'],
    ['GET', '/things/1'],
    ['PUT', '/things/1', '{"name":'],
    ['PUT', '/things/1', '{}'],
    ['GET', '/forbidden'],
    ['GET', '/broken'],
  ] as const) {
    const reply = await call(method, url, payload);
    assert.equal(reply.headers['content-type'], 'application/json', `${method} ${url}`);
  }
});

test('a body failing its schema: 400 M_BAD_JSON naming the field', async () => {
  const cases: [string, RegExp][] = [
    ['{"size":1}', /name/],
    ['{"name":5}', /name/],
    ['{"name":"a","size":"2"}', /size/],
    ['{"name":"a","size":1.5}', /size/],
    ['{"name":"a","nested":{"depth":"x"}}', /nested\.depth/],
    ['[1,2]', /body/],
    ['"text"', /body/],
  ];
  for (const [payload, field] of cases) {
    const { status, body } = await call('PUT', '/things/1', payload);
    assert.equal(status, 400, payload);
    assert.equal(body.errcode, 'M_BAD_JSON', payload);
    assert.match(String(body.error), field, payload);
  }
});

test('a bad query parameter: 400 M_INVALID_PARAM', async () => {
  const { status, body } = await call('PUT', '/things/1?limit=zero', '{"name":"a"}');
  assert.equal(status, 400);
  assert.equal(body.errcode, 'M_INVALID_PARAM');
  assert.match(String(body.error), /limit/);
});

test('a body over the limit: 413 M_TOO_LARGE', async () => {
  const { status, body } = await call(
    'PUT',
    '/things/1',
    JSON.stringify({ name: 'x'.repeat(2000) }),
  );
  assert.equal(status, 413);
  assert.equal(body.errcode, 'M_TOO_LARGE');
});

test('a MatrixError keeps its status; a bug is a logged 500 M_UNKNOWN without details', async () => {
  assert.deepEqual(await call('GET', '/forbidden').then((r) => [r.status, r.body.errcode]), [
    403,
    'M_FORBIDDEN',
  ]);
  const broken = await call('GET', '/broken');
  assert.equal(broken.status, 500);
  assert.deepEqual(broken.body, { errcode: 'M_UNKNOWN', error: 'Internal server error' });
});
