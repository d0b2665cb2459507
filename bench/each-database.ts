// Runs a bench workload on PGlite, then on a scratch PostgreSQL database when
// CAIRN_TEST_DATABASE_URL names a server, and returns both sets of figures.
import {
  createScratchDatabase,
  dropScratchDatabase,
} from '../conformance-tests/support/databases.ts';
import type { BenchFigure } from './harness.ts';

export type BenchBackend = 'pglite' | 'postgres';

export async function onEachDatabase(
  workload: (backend: BenchBackend, databaseUrl: string | undefined) => Promise<BenchFigure[]>,
): Promise<BenchFigure[]> {
  const figures = await workload('pglite', undefined);
  const serverUrl = process.env.CAIRN_TEST_DATABASE_URL;
  if (serverUrl) {
    const databaseUrl = await createScratchDatabase(serverUrl);
    try {
      figures.push(...(await workload('postgres', databaseUrl)));
    } finally {
      await dropScratchDatabase(serverUrl, databaseUrl);
    }
  }
  return figures;
}
