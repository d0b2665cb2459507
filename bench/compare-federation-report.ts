// What bench/compare.ts prints and writes for the federation workloads (4) and (5): their columns
// are directions between two servers, not single servers, so they get their own table and
// charts. The ratio rows put Cairn and Synapse in the same role against the same other server:
// as the joiner of cairn-a's room, as the sender to cairn-b, as the receiver from cairn-a.

import type { BigRoomFixture, RemoteJoinFigure } from './compare-remote-join.ts';
import type { ReplicationFigure } from './compare-replication.ts';
import type { BarGroup } from './compare-report.ts';
import { svgBars } from './compare-report.ts';

export interface FederationResults {
  readonly replication: ReplicationFigure[];
  readonly joins: RemoteJoinFigure[];
  readonly fixtures: BigRoomFixture[];
  readonly sizes: Record<string, number>;
  readonly errors: string[];
}

interface Row {
  readonly metric: string;
  readonly unit: string;
  readonly value: number | undefined;
  readonly better: 'higher' | 'lower';
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export function federationRows(results: FederationResults): Row[] {
  const rows: Row[] = [];
  for (const f of results.replication) {
    const name = `(5) ${f.from} -> ${f.to}`;
    rows.push(
      { metric: `${name}, arrived`, unit: 'msg/s', value: f.replicatedPerSecond, better: 'higher' },
      { metric: `${name}, sent`, unit: 'msg/s', value: f.sentPerSecond, better: 'higher' },
    );
  }
  for (const f of results.fixtures) {
    rows.push(
      {
        metric: `(4) fixture on ${f.host}: build`,
        unit: 's',
        value: seconds(f.totalMs),
        better: 'lower',
      },
      {
        metric: `(4) fixture on ${f.host}: joins`,
        unit: 'join/s',
        value: ((f.members - 1) / f.joinsMs) * 1000,
        better: 'higher',
      },
      {
        metric: `(4) fixture on ${f.host}: state`,
        unit: 'event/s',
        value: (f.stateEvents / f.stateMs) * 1000,
        better: 'higher',
      },
    );
  }
  for (const f of results.joins) {
    const name = `(4) ${f.joiner} joins ${f.host}'s room`;
    rows.push(
      { metric: `${name}: answered`, unit: 's', value: seconds(f.joinAnsweredMs), better: 'lower' },
      {
        metric: `${name}: members usable`,
        unit: 's',
        value: seconds(f.membersUsableMs),
        better: 'lower',
      },
      {
        metric: `${name}: joiner cpu`,
        unit: 'cpu s',
        value: f.joinerCpuSeconds,
        better: 'lower',
      },
      {
        metric: `${name}: joiner peak RSS`,
        unit: 'MB',
        value: f.joinerPeakRssBytes === undefined ? undefined : f.joinerPeakRssBytes / 1024 / 1024,
        better: 'lower',
      },
    );
  }
  const ratio = (
    metric: string,
    x: number | undefined,
    y: number | undefined,
    better: Row['better'],
  ) => {
    if (x !== undefined && y !== undefined && y !== 0) {
      rows.push({ metric, unit: 'x', value: x / y, better });
    }
  };
  const join = (joiner: string) =>
    results.joins.find((f) => f.joiner === joiner && f.host === 'cairn-a');
  ratio(
    '(4) cairn/synapse joining cairn-a: answered',
    join('cairn-b')?.joinAnsweredMs,
    join('synapse')?.joinAnsweredMs,
    'lower',
  );
  ratio(
    '(4) cairn/synapse joining cairn-a: members usable',
    join('cairn-b')?.membersUsableMs,
    join('synapse')?.membersUsableMs,
    'lower',
  );
  const flow = (from: string, to: string) =>
    results.replication.find((f) => f.from === from && f.to === to)?.replicatedPerSecond;
  ratio(
    '(5) cairn/synapse sending to cairn-b',
    flow('cairn-a', 'cairn-b'),
    flow('synapse', 'cairn-b'),
    'higher',
  );
  ratio(
    '(5) cairn/synapse receiving from cairn-a',
    flow('cairn-a', 'cairn-b'),
    flow('cairn-a', 'synapse'),
    'higher',
  );
  return rows;
}

export function formatFederationTable(results: FederationResults): string {
  const fmt = (v: number | undefined) =>
    v === undefined || Number.isNaN(v)
      ? '-'
      : v >= 100
        ? Math.round(v).toLocaleString('en-US')
        : v.toFixed(2);
  const sizes = Object.entries(results.sizes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const header = ['federation metric', 'unit', 'value', 'better'];
  const body = federationRows(results).map((r) => [r.metric, r.unit, fmt(r.value), r.better]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [
    `federation (${sizes}); every Cairn on PostgreSQL`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    ...results.joins.flatMap((f) => stateNotes(f)),
    ...results.errors.map((e) => `FAILED ${e.slice(0, 300)}`),
  ].join('\n');
}

/** A disagreement about the state after the join is a bug. One about the current state alone
 * is not: the host also resolves the forward extremities the join did not cite. */
function stateNotes(f: RemoteJoinFigure): string[] {
  const at = f.stateAtJoin;
  const where = `${f.joiner} in ${f.host}'s room`;
  if (at === undefined) {
    return f.stateEvents === f.expectedStateEvents
      ? []
      : [
          `STATE DIFFERS: ${where}: ${f.stateEvents} state events, ${f.host} ${f.expectedStateEvents}`,
        ];
  }
  if (at.differing > 0) {
    return [
      `STATE DIFFERS: ${where}: after the join ${at.joiner} state events, ${f.host} ${at.host}, ` +
        `${at.differing} event ids not on both`,
    ];
  }
  if (f.stateEvents === f.expectedStateEvents) return [];
  return [
    `note: ${where}: the state after the join agrees (${at.joiner} events); the current states ` +
      `differ (${f.stateEvents}, ${f.host} ${f.expectedStateEvents}): the host's DAG has forward ` +
      'extremities the join does not cite',
  ];
}

const colourOf = (label: string) =>
  label.startsWith('synapse') ? '#2da44e' : label.includes('synapse') ? '#8bc34a' : '#1f6feb';

export function federationCharts(results: FederationResults): { file: string; svg: string }[] {
  const sizes = results.sizes;
  const charts: { file: string; svg: string }[] = [];
  if (results.replication.length > 0) {
    const bars = (value: (f: ReplicationFigure) => number) =>
      results.replication.map((f) => ({
        name: `${f.from} -> ${f.to}`,
        colour: colourOf(f.from),
        value: value(f),
      }));
    charts.push({
      file: 'federation-replication',
      svg: svgBars(
        '(5) Federation replication: messages/s into the receiver’s /sync (higher is better)',
        `${sizes.replicationSenders} senders, ${sizes.replicationMessages} messages; Cairn on PostgreSQL`,
        'msg/s',
        [
          { label: 'arrived on the receiver', bars: bars((f) => f.replicatedPerSecond) },
          { label: 'sent on the sender', bars: bars((f) => f.sentPerSecond) },
        ],
      ),
    });
  }
  if (results.joins.length > 0) {
    const bars = (value: (f: RemoteJoinFigure) => number | undefined): BarGroup['bars'] =>
      results.joins.map((f) => ({
        name: `${f.joiner} <- ${f.host}`,
        colour: colourOf(f.joiner),
        value: value(f),
      }));
    charts.push({
      file: 'remote-join',
      svg: svgBars(
        '(4) Remote join of a big room over federation (lower is better)',
        `${sizes.bigRoomMembers} members, ${sizes.bigRoomStateEvents} more state events; joiner <- host`,
        's',
        [
          { label: 'join answered', bars: bars((f) => seconds(f.joinAnsweredMs)) },
          { label: 'all members listed', bars: bars((f) => seconds(f.membersUsableMs)) },
        ],
      ),
    });
  }
  return charts;
}
