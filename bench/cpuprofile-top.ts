// `node bench/cpuprofile-top.ts <file.cpuprofile> [top] [window | stack-filter]`: the functions
// with the most self time in a V8 CPU profile (as `node --cpu-prof` writes, e.g. with
// CAIRN_BENCH_CPU_PROF set for bench/federation.bench.ts), with their total (inclusive) time.
// A window `<from>-<to>` (monotonic microseconds, the profile's clock, as federation.bench.ts
// prints for the remote join) counts only the samples taken in it. A stack filter counts only
// samples whose stack has a frame whose file or function name contains it; since a stack ends
// at the last `await`, it finds synchronous callers only. Idle time is left out; a second list
// ranks Cairn's own functions (not node_modules) by total time.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, filterArg] = process.argv.slice(2);
const window = /^(\d+)-(\d+)$/.exec(filterArg ?? '');
const stackFilter = window ? undefined : filterArg;
const [from, to] = window ? [Number(window[1]), Number(window[2])] : [0, Infinity];
if (!file) throw new Error('usage: node bench/cpuprofile-top.ts <file.cpuprofile> [top] [filter]');
const top = Number(topArg ?? '25');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const repo = join(import.meta.dirname, '..');
const root = `file://${repo}/`;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parentOf.set(child, node.id);

const label = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.startsWith(root) ? relative(repo, url.slice(7)) : url;
  return `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let counted = 0;
let all = 0;
let at = profile.startTime;
for (const [i, id] of profile.samples.entries()) {
  const us = profile.timeDeltas[i] ?? 0;
  at += us;
  if (at < from || at > to) continue;
  if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
  all += us;
  const stack: ProfileNode[] = [];
  for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
    stack.push(byId.get(node)!);
  }
  if (stackFilter && !stack.some((node) => label(node).includes(stackFilter))) continue;
  counted += us;
  const leaf = label(stack[0]!);
  self.set(leaf, (self.get(leaf) ?? 0) + us);
  for (const name of new Set(stack.map(label))) total.set(name, (total.get(name) ?? 0) + us);
}

const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`.padStart(10);
const pct = (us: number) => `${((us / counted) * 100).toFixed(1)}%`.padStart(6);
process.stdout.write(
  `${ms(counted).trim()} busy${stackFilter ? ` under "${stackFilter}"` : ''} of ${ms(all).trim()}` +
    `${window ? ` in ${((to - from) / 1000).toFixed(0)} ms` : ''}\n` +
    `${'self'.padStart(10)} ${'%'.padStart(6)} ${'total'.padStart(10)}  function\n`,
);
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${ms(us)} ${pct(us)} ${ms(total.get(name) ?? 0)}  ${name}\n`);
}

process.stdout.write(`\nCairn's functions by total time\n`);
const ours = [...total].filter(([name]) => !name.includes('node_modules') && name.includes('.ts:'));
for (const [name, us] of ours.sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${ms(us)} ${pct(us)}  ${name}\n`);
}
