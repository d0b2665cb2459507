// Which errors mean "the database is unreachable" (503) and which are faults (500). The process
// test conformance-tests/faults/postgres-restart.test.ts produces the real ones end to end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { freePort } from '../../conformance-tests/support/synapse-peer.ts';
import { isDatabaseUnavailable } from './database-unavailable.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test('unavailable: the shapes pg gives a server that is gone or not yet back', () => {
  const cases: [string, Error][] = [
    [
      'admin shutdown (pg_ctl stop)',
      withCode('terminating connection due to administrator command', '57P01'),
    ],
    [
      'crash shutdown',
      withCode('terminating connection because of crash of another server process', '57P02'),
    ],
    ['starting up', withCode('the database system is starting up', '57P03')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['connection exception class', withCode('connection failure', '08006')],
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['ended under a query', new Error('Connection terminated unexpectedly')],
    [
      'broken client reused',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['wrapped', new Error('query failed', { cause: withCode('refused', 'ECONNREFUSED') })],
  ];
  for (const [what, error] of cases) assert.equal(isDatabaseUnavailable(error), true, what);
});

test('not unavailable: faults in a query or in Cairn stay 500s', () => {
  const cases: [string, unknown][] = [
    ['syntax error', withCode('syntax error at or near "SELEC"', '42601')],
    ['unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['serialization failure', withCode('could not serialize access', '40001')],
    ['a short code starting with 08', withCode('odd', '08')],
    ['type error', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['not an error', 'ECONNREFUSED'],
    ['undefined', undefined],
  ];
  for (const [what, error] of cases) assert.equal(isDatabaseUnavailable(error), false, what);
});

test('unavailable: a real pg pool pointed at a port nobody listens on', async () => {
  const pool = new pg.Pool({ host: '127.0.0.1', port: await freePort(), user: 'nobody' });
  try {
    const error = await pool.query('SELECT 1').then(
      () => assert.fail('connected to nothing'),
      (caught: unknown) => caught,
    );
    assert.equal(isDatabaseUnavailable(error), true, String(error));
  } finally {
    await pool.end();
  }
});
