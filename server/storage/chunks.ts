// Long lists of ids or rows go to the database in chunks: one statement takes at most 32,767
// bind parameters on PGlite (and 65,535 on PostgreSQL), which a big room's members or state pass.

/** `items` cut into consecutive slices of at most `size`. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size));
  }
  return chunks;
}
