// What bench/compare.ts prints and writes: a terminal table with the ratios Cairn/Synapse and
// Cairn/ceiling (absolute figures on a shared machine are noisy; ratios measured in one run
// hold), and one SVG bar chart per workload, written as text (no chart dependency).

import type { InitialSyncFigure } from './compare-initial-sync.ts';
import type { TargetName } from './compare-servers.ts';
import type { SendFigure, SyncFigure } from './compare-workloads.ts';

export interface ServerResult {
  readonly name: TargetName;
  startupMs?: number;
  /** VmRSS a few seconds after the server answered its first request. */
  idleRssBytes?: number;
  /** VmHWM at the end: the kernel's high-water mark through workloads 1 to 3 and their setup
   * (since start-up instead when peakIsWorkloadOnly is false: /proc/<pid>/clear_refs refused). */
  peakRssBytes?: number;
  peakIsWorkloadOnly?: boolean;
  send?: SendFigure[];
  sync?: SyncFigure;
  initialSync?: InitialSyncFigure;
  error?: string;
}

interface Row {
  readonly label: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  readonly value: (r: ServerResult) => number | undefined;
}

const MB = 1024 * 1024;

export function rows(): Row[] {
  const send = (i: number) => (r: ServerResult) => r.send?.[i];
  const out: Row[] = [
    { label: 'startup', unit: 's', better: 'lower', value: (r) => ms(r.startupMs) },
    ...[0, 1].map(
      (i): Row => ({
        label: `(1) send, ${i === 0 ? '1 room' : 'N rooms'}`,
        unit: 'msg/s',
        better: 'higher',
        value: (r) => send(i)(r)?.messagesPerSecond,
      }),
    ),
    { label: '(2) send->sync p50', unit: 'ms', better: 'lower', value: (r) => r.sync?.p50Ms },
    { label: '(2) send->sync p99', unit: 'ms', better: 'lower', value: (r) => r.sync?.p99Ms },
    {
      label: '(3) initial sync, full',
      unit: 's',
      better: 'lower',
      value: (r) => ms(r.initialSync?.full.medianMs),
    },
    {
      label: '(3) initial sync, lazy members',
      unit: 's',
      better: 'lower',
      value: (r) => ms(r.initialSync?.lazy.medianMs),
    },
    {
      label: '(3) answer size, full',
      unit: 'MB',
      better: 'lower',
      value: (r) => mb(r.initialSync?.full.bytes),
    },
    {
      label: '(3) answer size, lazy members',
      unit: 'MB',
      better: 'lower',
      value: (r) => mb(r.initialSync?.lazy.bytes),
    },
    {
      label: '(3) fixture: joins',
      unit: 'join/s',
      better: 'higher',
      value: (r) => r.initialSync?.joinsPerSecond,
    },
    { label: '(6) RSS idle', unit: 'MB', better: 'lower', value: (r) => mb(r.idleRssBytes) },
    {
      label: '(6) RSS peak (1)-(3)',
      unit: 'MB',
      better: 'lower',
      value: (r) => mb(r.peakRssBytes),
    },
  ];
  for (const [i, label] of ['1 room', 'N rooms'].entries()) {
    out.push(
      cpuRow(`(7) CPU/1k sent, ${label}, process`, (r) => send(i)(r)?.cpuPer1000.server),
      cpuRow(`(7) CPU/1k sent, ${label}, +db`, (r) => send(i)(r)?.cpuPer1000.withDatabase),
    );
  }
  out.push(
    cpuRow('(7) CPU/1k delivered, process', (r) => r.sync?.cpuPer1000.server),
    cpuRow('(7) CPU/1k delivered, +db', (r) => r.sync?.cpuPer1000.withDatabase),
  );
  return out;
}

const cpuRow = (label: string, value: Row['value']): Row => ({
  label,
  unit: 'cpu s',
  better: 'lower',
  value,
});
const ms = (v: number | undefined) => (v === undefined ? undefined : v / 1000);
const mb = (v: number | undefined) => (v === undefined ? undefined : v / MB);

const RATIOS: [TargetName, TargetName][] = [
  ['cairn-postgres', 'synapse-postgres'],
  ['cairn-pglite', 'synapse-postgres'],
  ['cairn-postgres', 'ceiling'],
];
const SHORT: Record<TargetName, string> = {
  ceiling: 'ceiling',
  'cairn-postgres': 'cairn-pg',
  'cairn-pglite': 'cairn-pglite',
  'synapse-postgres': 'synapse-pg',
};

/** Rows of the table as JSON-friendly records (also written in the report). */
export function ratioTable(results: readonly ServerResult[]) {
  const byName = new Map(results.map((r) => [r.name, r]));
  return rows().map((row) => {
    const values = Object.fromEntries(results.map((r) => [r.name, row.value(r)]));
    const ratios = Object.fromEntries(
      RATIOS.map(([a, b]) => {
        const x = byName.get(a) && row.value(byName.get(a)!);
        const y = byName.get(b) && row.value(byName.get(b)!);
        return [`${a}/${b}`, x !== undefined && y !== undefined && y !== 0 ? x / y : undefined];
      }),
    );
    return { metric: row.label, unit: row.unit, better: row.better, values, ratios };
  });
}

export function formatTable(results: readonly ServerResult[]): string {
  const fmt = (v: number | undefined, digits = 2) =>
    v === undefined || Number.isNaN(v)
      ? '-'
      : v >= 100
        ? Math.round(v).toLocaleString('en-US')
        : v.toFixed(digits);
  const header = [
    'metric',
    'unit',
    ...results.map((r) => SHORT[r.name]),
    ...RATIOS.map(([a, b]) => `${SHORT[a]}/${SHORT[b]}`),
    'better',
  ];
  const body = ratioTable(results).map((row) => [
    row.metric,
    row.unit,
    ...results.map((r) => fmt(row.values[r.name])),
    ...RATIOS.map(([a, b]) => {
      const ratio = row.ratios[`${a}/${b}`];
      return ratio === undefined ? '-' : `${ratio.toFixed(2)}x`;
    }),
    row.better,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export interface Chart {
  readonly file: string;
  readonly title: string;
  readonly unit: string;
  readonly groups: readonly { label: string; value: (r: ServerResult) => number | undefined }[];
}

export function charts(): Chart[] {
  return [
    {
      file: 'send-throughput',
      title: '(1) Message send throughput, 50 concurrent senders (higher is better)',
      unit: 'msg/s',
      groups: [
        { label: '1 room', value: (r) => r.send?.[0]?.messagesPerSecond },
        { label: 'many rooms', value: (r) => r.send?.[1]?.messagesPerSecond },
      ],
    },
    {
      file: 'sync-latency',
      title: '(2) Send -> /sync delivery latency (lower is better)',
      unit: 'ms',
      groups: [
        { label: 'p50', value: (r) => r.sync?.p50Ms },
        { label: 'p99', value: (r) => r.sync?.p99Ms },
      ],
    },
    {
      file: 'initial-sync',
      title: '(3) Initial /sync of a user in every room of the fixture (lower is better)',
      unit: 's',
      groups: [
        { label: 'full state', value: (r) => ms(r.initialSync?.full.medianMs) },
        { label: 'lazy-loaded members', value: (r) => ms(r.initialSync?.lazy.medianMs) },
      ],
    },
    {
      file: 'memory',
      title: '(6) Resident memory of the server process (lower is better)',
      unit: 'MB',
      groups: [
        { label: 'idle after start', value: (r) => mb(r.idleRssBytes) },
        { label: 'peak during (1)-(3)', value: (r) => mb(r.peakRssBytes) },
      ],
    },
    {
      file: 'cpu',
      title: '(7) CPU seconds per 1,000 messages, server + its PostgreSQL (lower is better)',
      unit: 'cpu s',
      groups: [
        { label: 'sent, 1 room', value: (r) => r.send?.[0]?.cpuPer1000.withDatabase },
        { label: 'sent, many rooms', value: (r) => r.send?.[1]?.cpuPer1000.withDatabase },
        { label: 'delivered to /sync', value: (r) => r.sync?.cpuPer1000.withDatabase },
      ],
    },
  ];
}

const COLOURS: Record<TargetName, string> = {
  ceiling: '#9e9e9e',
  'cairn-postgres': '#1f6feb',
  'cairn-pglite': '#58a6ff',
  'synapse-postgres': '#2da44e',
};

const escapeXml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Horizontal bars, one group per measure, one bar per server; bars scale within a group. */
export function svgChart(chart: Chart, results: readonly ServerResult[], subtitle: string): string {
  return svgBars(
    chart.title,
    subtitle,
    chart.unit,
    chart.groups.map((group) => ({
      label: group.label,
      bars: results.map((r) => ({ name: r.name, colour: COLOURS[r.name], value: group.value(r) })),
    })),
  );
}

export interface BarGroup {
  readonly label: string;
  readonly bars: readonly { name: string; colour: string; value: number | undefined }[];
}

/** The chart itself: bars without a value are left out, the rest scale within their group. */
export function svgBars(
  title: string,
  subtitle: string,
  unit: string,
  groups: readonly BarGroup[],
): string {
  const width = 760;
  const labelWidth = 150;
  const barArea = width - labelWidth - 110;
  const barHeight = 18;
  const parts: string[] = [];
  let y = 56;
  for (const group of groups) {
    const present = group.bars.filter((bar) => bar.value !== undefined && !Number.isNaN(bar.value));
    const max = Math.max(...present.map((bar) => bar.value!), Number.MIN_VALUE);
    parts.push(`<text x="10" y="${y + 12}" font-weight="bold">${escapeXml(group.label)}</text>`);
    y += 20;
    for (const bar of present) {
      const v = bar.value!;
      const w = Math.max(1, (v / max) * barArea);
      parts.push(
        `<text x="20" y="${y + 13}">${escapeXml(bar.name)}</text>`,
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${bar.colour}"/>`,
        `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 13}">${v >= 100 ? Math.round(v) : v.toFixed(2)} ${escapeXml(unit)}</text>`,
      );
      y += barHeight + 4;
    }
    y += 10;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="10" y="38" fill="#555">${escapeXml(subtitle)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
