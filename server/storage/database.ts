// Opens the store: PostgreSQL through a `pg` pool when a database URL is configured, otherwise
// PGlite (PostgreSQL in WebAssembly) embedded in this process and persisted in <dataDir>/pglite.
// Both speak PostgreSQL, so everything above the Kysely dialect is one code path.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import { Pool, TypeOverrides } from 'pg';
import { lockPgliteDataDir } from './data-dir-lock.ts';
import type { Database } from './schema.ts';

export type DatabaseDialect = 'postgres' | 'pglite';

/** The slice of a pino logger this module uses. */
export interface DatabaseLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface OpenDatabaseOptions {
  /** `postgres://...`; when absent, PGlite is used. */
  databaseUrl?: string;
  dataDir: string;
  logger?: DatabaseLogger;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: DatabaseDialect;
  close(): Promise<void>;
}

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;

export async function openDatabase(options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const opened = options.databaseUrl
    ? openPostgres(options.databaseUrl, options.logger)
    : openPglite(options.dataDir);
  const exitCode = process.exitCode;
  try {
    // Kysely connects lazily; probing now makes a bad URL or a broken data directory fail at
    // startup instead of on the first request.
    await sql`select 1`.execute(opened.db);
  } catch (error) {
    await opened.close().catch(() => {});
    // PGlite's Emscripten runtime sets process.exitCode = 1 when PostgreSQL aborts; the error
    // is the caller's to handle, not a reason for the process to fail on exit.
    process.exitCode = exitCode;
    throw error;
  }
  options.logger?.info({ dialect: opened.dialect }, 'database opened');
  return opened;
}

function openPostgres(databaseUrl: string, logger?: DatabaseLogger): OpenedDatabase {
  // Per-pool overrides, not pg's global `types`, so other pg users in the process are unaffected.
  const types = new TypeOverrides();
  types.setTypeParser(INT8_OID, parseInt8);
  types.setTypeParser(INT8_ARRAY_OID, parseInt8Array);
  const pool = new Pool({ connectionString: databaseUrl, types });
  // A client whose server goes away (PostgreSQL stopped or restarted) emits 'error'; unhandled,
  // that crashes the process. The pool re-emits it for idle clients only, so each client gets a
  // listener of its own too: a checked-out client between two queries (a transaction awaiting
  // other work) used to crash Cairn on a PostgreSQL restart. Its next query fails instead, the
  // transaction rolls back, the pool discards the client, and later queries reconnect.
  pool.on('connect', (client) => {
    client.on('error', (error) => logger?.warn({ err: error }, 'PostgreSQL connection failed'));
  });
  // Already logged by the client's own listener.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: once(() => db.destroy()) };
}

function openPglite(dataDir: string): OpenedDatabase {
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockPgliteDataDir(dataDir);
  try {
    const pglite = new PGlite({
      dataDir: join(dataDir, 'pglite'),
      parsers: { [INT8_OID]: parseInt8, [INT8_ARRAY_OID]: parseInt8Array },
    });
    // Kysely's own PGlite dialect (new in 0.29) rather than the kysely-pglite-dialect package:
    // it serialises use of the single connection with Kysely's mutex and supports savepoints.
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    const close = once(async () => {
      try {
        // Kysely initialises the driver on first use only; close PGlite ourselves if it never was.
        await db.destroy();
        if (!pglite.closed) await pglite.close();
      } finally {
        unlock();
      }
    });
    return { db, dialect: 'pglite', close };
  } catch (error) {
    unlock();
    throw error;
  }
}

/**
 * int8 comes back as a JS number on both backends (pg would give a string, PGlite a number or a
 * bigint depending on size). Stream positions, timestamps and counts stay far below 2^53, and
 * numbers compare, serialise to JSON and do arithmetic without ceremony; a value that would lose
 * precision throws instead of silently rounding.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`int8 value ${text} is outside the safe integer range of a JS number`);
  }
  return value;
}

type Int8List = (number | null | Int8List)[];

/** Text form `{1,NULL,{2,3}}`: int8 elements need no quoting, so only braces and commas. */
export function parseInt8Array(text: string): Int8List {
  const quoted = text
    .replace(/^\[[^=]*\]=/, '') // explicit bounds `[0:1]={...}` carry nothing we use
    .replaceAll('{', '[')
    .replaceAll('}', ']')
    .replace(/-?\d+/g, '"$&"')
    .replaceAll('NULL', 'null');
  const convert = (item: unknown): number | null | Int8List =>
    Array.isArray(item) ? item.map(convert) : item === null ? null : parseInt8(item as string);
  return (JSON.parse(quoted) as unknown[]).map(convert);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}
