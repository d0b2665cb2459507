// Runs the migrations in migrations/ with Kysely's Migrator, in file-name order (the names start
// with an ISO date). Safe to run on every start and from several processes at once: on
// PostgreSQL the Migrator holds a session advisory lock while it reads what was applied and
// applies the rest in one transaction; PGlite has a single connection, which Kysely serialises.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kysely } from 'kysely';
import {
  DEFAULT_MIGRATION_TABLE,
  type Migration,
  type MigrationProvider,
  Migrator,
} from 'kysely/migration';
import type { Database } from './schema.ts';

export const MIGRATIONS_DIR = join(import.meta.dirname, '..', '..', 'migrations');

const MIGRATION_FILE = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-[a-z0-9-]+\.ts$/;

export interface MigrateOptions {
  dir?: string;
  logger?: { info(details: object, message: string): void };
}

export class MigrationError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'MigrationError';
  }
}

/** Names (file names without `.ts`) of the migrations in the directory, in the order they run. */
export async function listMigrationNames(dir = MIGRATIONS_DIR): Promise<string[]> {
  const names: string[] = [];
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    // A misnamed migration would otherwise be skipped without a word.
    if (!MIGRATION_FILE.test(file)) {
      throw new MigrationError(`${join(dir, file)} is not named YYYY-MM-DDTHH-MM-SS-name.ts`, null);
    }
    names.push(file.slice(0, -'.ts'.length));
  }
  return names.sort();
}

export function migrationProvider(dir = MIGRATIONS_DIR): MigrationProvider {
  return {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const name of await listMigrationNames(dir)) {
        const module = (await import(pathToFileURL(join(dir, `${name}.ts`)).href)) as Migration;
        if (typeof module.up !== 'function') {
          throw new MigrationError(`migration ${name} does not export an up() function`, null);
        }
        migrations[name] = { up: module.up, down: module.down };
      }
      return migrations;
    },
  };
}

/** Applies every pending migration; returns the names applied by this call (none if current). */
export async function migrateToLatest(
  db: Kysely<Database>,
  options: MigrateOptions = {},
): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider(options.dir) });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    throw new MigrationError(
      failed ? `migration ${failed} failed` : 'could not run migrations',
      error,
    );
  }
  const applied = results.map((result) => result.migrationName);
  if (applied.length > 0) options.logger?.info({ migrations: applied }, 'migrations applied');
  return applied;
}

/** Names of the migrations recorded as applied, in name order; read from Kysely's own table. */
export async function listAppliedMigrations(db: Kysely<Database>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((table) => table.name === DEFAULT_MIGRATION_TABLE)) return [];
  const rows = await db
    .withTables<{ [DEFAULT_MIGRATION_TABLE]: { name: string } }>()
    .selectFrom(DEFAULT_MIGRATION_TABLE)
    .select('name')
    .orderBy('name')
    .execute();
  return rows.map((row) => row.name);
}
