// What a fault must not break, checked against the room's own history (/messages): every
// acknowledged message is in the room exactly once and in its sender's order, its event id is
// the one the send answered, and every client's incremental /sync saw exactly that history in
// that order, without a duplicate, a gap, or a `limited` timeline.
import assert from 'node:assert/strict';
import type { Acknowledged, SyncStream, TimelineEvent } from './fault-clients.ts';

export interface DeliveryFigures {
  /** Messages in the room's history. */
  readonly messagesInRoom: number;
  /** Acknowledged sends checked against it. */
  readonly acknowledgedChecked: number;
  /** Events compared, summed over every client's sync stream. */
  readonly syncEventsChecked: number;
}

/**
 * `history`: /messages of the whole room, oldest first. `acknowledged`: per sender, what its sends
 * were answered with. `streams`: per client, what it synced from a token taken before the first
 * message, so its timeline must be exactly the room's messages.
 */
export function checkDelivery(
  history: readonly TimelineEvent[],
  acknowledged: ReadonlyMap<string, readonly Acknowledged[]>,
  streams: ReadonlyMap<string, SyncStream>,
): DeliveryFigures {
  const messages = history.filter((event) => event.type === 'm.room.message');
  const seen = new Map<string, TimelineEvent>();
  for (const event of messages) {
    const key = `${event.sender} ${String(event.content.seq)}`;
    const earlier = seen.get(key);
    assert.equal(
      earlier,
      undefined,
      `duplicate in the room: ${key} as ${earlier?.event_id} and ${event.event_id}`,
    );
    seen.set(key, event);
  }
  let acknowledgedChecked = 0;
  for (const [sender, acks] of acknowledged) {
    const inRoom = messages.filter((event) => event.sender === sender);
    const seqs = inRoom.map((event) => Number(event.content.seq));
    assert.deepEqual(
      seqs,
      acks.map((ack) => ack.seq),
      `${sender}: the room holds its messages ${seqs.join(',')}, it was acknowledged ${acks.map((ack) => ack.seq).join(',')} (order, loss or an unacknowledged extra)`,
    );
    for (const [i, ack] of acks.entries()) {
      assert.equal(inRoom[i]!.event_id, ack.eventId, `${sender} #${ack.seq}: event id`);
      acknowledgedChecked++;
    }
  }
  assert.equal(acknowledgedChecked, messages.length, 'every message in the room was acknowledged');
  const expected = messages.map((event) => event.event_id);
  let syncEventsChecked = 0;
  for (const [userId, stream] of streams) {
    const ids = stream.timeline.map((event) => event.event_id);
    if (JSON.stringify(ids) !== JSON.stringify(expected)) {
      assert.fail(
        `${userId}: sync stream differs from /messages: ${describeDifference(ids, expected)}`,
      );
    }
    assert.equal(stream.limitedCount, 0, `${userId}: a limited timeline (a gap) came back`);
    syncEventsChecked += ids.length;
  }
  return { messagesInRoom: messages.length, acknowledgedChecked, syncEventsChecked };
}

function describeDifference(actual: readonly string[], expected: readonly string[]): string {
  const duplicates = actual.filter((id, i) => actual.indexOf(id) !== i);
  const missing = expected.filter((id) => !actual.includes(id));
  const extra = actual.filter((id) => !expected.includes(id));
  let firstDiff = 0;
  while (firstDiff < expected.length && actual[firstDiff] === expected[firstDiff]) firstDiff++;
  return (
    `${actual.length} events synced, ${expected.length} in the room; ` +
    `duplicates ${duplicates.length}, missing ${missing.length}, not in the room ${extra.length}, ` +
    `first difference at index ${firstDiff} (${actual[firstDiff]} vs ${expected[firstDiff]})`
  );
}
