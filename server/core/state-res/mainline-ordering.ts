// Step 3: the events left after the power events, in mainline ordering. The mainline is the
// chain of power levels events from the resolved one back through each one's power levels auth
// event; an event sorts by the mainline position of its closest power levels ancestor (older
// first), then by origin_server_ts, then by event id. The walks read only the auth chain index,
// which knows which events are power levels events, so no event content is needed.

import type { AuthChainIndex } from '../dag/auth-chain.ts';
import { originServerTs } from './power-ordering.ts';
import type { EventSource } from './types.ts';

const NOT_ON_MAINLINE = Number.POSITIVE_INFINITY;

export function mainlineOrder(
  source: EventSource,
  eventIds: readonly string[],
  powerLevelsId: string | undefined,
): string[] {
  const index = source.index;
  // Positions of the mainline itself, and memoised positions of power levels events off it.
  const positions = new Map<string, number>();
  for (let pl = powerLevelsId, i = 0; pl !== undefined && !positions.has(pl); i++) {
    positions.set(pl, i);
    pl = index.powerLevelsAuthEvent(pl);
  }

  const keyed = eventIds.map((id) => {
    const closest = index.powerLevelsAuthEvent(id);
    const position =
      closest === undefined ? NOT_ON_MAINLINE : positionOf(index, closest, positions);
    return { id, position, ts: originServerTs(source.get(id)!) };
  });
  keyed.sort((a, b) => {
    if (a.position !== b.position) return a.position > b.position ? -1 : 1;
    if (a.ts !== b.ts) return a.ts - b.ts;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return keyed.map((entry) => entry.id);
}

/** The position of the first mainline event among `powerLevelsId` and its power levels ancestors. */
function positionOf(
  index: AuthChainIndex,
  powerLevelsId: string,
  positions: Map<string, number>,
): number {
  const walked: string[] = [];
  let position = NOT_ON_MAINLINE;
  const onWalk = new Set<string>();
  for (
    let pl: string | undefined = powerLevelsId;
    pl !== undefined;
    pl = index.powerLevelsAuthEvent(pl)
  ) {
    const known = positions.get(pl);
    if (known !== undefined) {
      position = known;
      break;
    }
    if (onWalk.has(pl)) break;
    onWalk.add(pl);
    walked.push(pl);
  }
  for (const pl of walked) positions.set(pl, position);
  return position;
}
