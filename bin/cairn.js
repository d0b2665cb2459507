#!/usr/bin/env node
// The `cairn` command. Cairn is TypeScript run directly by Node >= 24 (type stripping); on an
// older node it re-runs itself with the Node 24 that `npm install` puts in node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../server/main.ts', import.meta.url));
const major = Number(process.versions.node.split('.')[0]);

if (major >= 24) {
  await import(main);
} else {
  const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(bundled)) {
    console.error(`Cairn needs Node.js >= 24 (this is ${process.version}); run npm install first.`);
    process.exit(1);
  }
  const result = spawnSync(bundled, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
