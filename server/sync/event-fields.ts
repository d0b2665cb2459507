// `event_fields` of a filter: keep only the listed fields of each event. Entries are dot-separated
// paths; `\.` is a literal dot and `\\` a backslash.
// https://spec.matrix.org/latest/client-server-api/#filtering
import { isJsonObject, type JsonObject } from '../core/pdu.ts';

export function parseFieldPath(field: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < field.length; i++) {
    const char = field[i]!;
    if (char === '\\' && (field[i + 1] === '.' || field[i + 1] === '\\')) {
      current += field[++i];
    } else if (char === '.') {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

/** A copy of `event` with only the fields on `fields`; absent fields are skipped. */
export function onlyEventFields(event: JsonObject, fields: readonly string[]): JsonObject {
  const result: JsonObject = {};
  for (const field of fields) {
    const path = parseFieldPath(field);
    let from: JsonObject = event;
    let into: JsonObject = result;
    for (let i = 0; i < path.length; i++) {
      const key = path[i]!;
      if (!Object.hasOwn(from, key)) break;
      const value = from[key]!;
      if (i === path.length - 1) {
        into[key] = value;
        break;
      }
      const existing = into[key];
      // Already included whole (an earlier, shorter path): nothing to add, and never write into
      // the event's own objects.
      if (!isJsonObject(value) || existing === value) break;
      const next: JsonObject = isJsonObject(existing) ? existing : {};
      into[key] = next;
      into = next;
      from = value;
    }
  }
  return result;
}
