// The version of this Cairn build, from package.json (read once; no I/O elsewhere needs it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const packageJson = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'),
) as { version: string };

export const CAIRN_VERSION: string = packageJson.version;
