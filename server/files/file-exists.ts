// Small filesystem helpers shared by the content-addressed stores (media blobs, anchoring blocks).
import { access } from 'node:fs/promises';

/** Whether the path exists; errors other than "no such file" are thrown. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    throw error;
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
