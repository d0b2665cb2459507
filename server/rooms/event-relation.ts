// Event relationships read from content: which parent an event names, and the spec's rules for
// edits (m.replace). Pure.
// https://spec.matrix.org/latest/client-server-api/#forming-relationships-between-events
// https://spec.matrix.org/latest/client-server-api/#validity-of-replacement-events
import { isJsonObject, type Pdu } from '../core/pdu.ts';

export interface Relation {
  readonly relType: string;
  readonly eventId: string;
}

/** The relation in `content["m.relates_to"]`, if it is well formed. Rich replies have none. */
export function relationOf(content: unknown): Relation | undefined {
  if (!isJsonObject(content)) return undefined;
  const relatesTo = content['m.relates_to'];
  if (!isJsonObject(relatesTo)) return undefined;
  const { rel_type: relType, event_id: eventId } = relatesTo;
  if (typeof relType !== 'string' || relType === '' || relType.length > 255) return undefined;
  if (typeof eventId !== 'string' || !eventId.startsWith('$') || eventId.length > 255) {
    return undefined;
  }
  return { relType, eventId };
}

/** Whether `edit` may replace `original`: same sender and type, neither state, no edit of an edit. */
export function isValidReplacement(original: Pdu, edit: Pdu): boolean {
  if (original.sender !== edit.sender || original.type !== edit.type) return false;
  if (original.state_key !== undefined || edit.state_key !== undefined) return false;
  if (relationOf(original.content)?.relType === 'm.replace') return false;
  // An encrypted edit carries m.new_content inside its ciphertext, out of the server's sight.
  return edit.type === 'm.room.encrypted' || isJsonObject(edit.content?.['m.new_content']);
}

/** The most recent edit: highest origin_server_ts, then lexicographically largest event id. */
export function latestEdit<T extends { readonly eventId: string; readonly pdu: Pdu }>(
  edits: readonly T[],
): T | undefined {
  let latest: T | undefined;
  for (const edit of edits) {
    if (
      !latest ||
      edit.pdu.origin_server_ts > latest.pdu.origin_server_ts ||
      (edit.pdu.origin_server_ts === latest.pdu.origin_server_ts && edit.eventId > latest.eventId)
    ) {
      latest = edit;
    }
  }
  return latest;
}
