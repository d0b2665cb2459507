// Dot-separated property paths, as push rule conditions name event properties: `content.body`,
// `content.m\.relates_to.rel_type`. A literal `.` or `\` in a name is escaped with `\`; any other
// escape is kept as written (a backslash and the character). Pure.
// https://spec.matrix.org/latest/appendices/#dot-separated-property-paths
import { isJsonObject, type JsonValue } from '../core/pdu.ts';

/** The property names of a path, escapes resolved. */
export function parsePropertyPath(path: string): string[] {
  const names: string[] = [];
  let current = '';
  for (let i = 0; i < path.length; i++) {
    const char = path[i];
    if (char === '\\') {
      const next = path[i + 1];
      if (next === '.' || next === '\\') {
        current += next;
        i++;
      } else {
        current += char;
      }
    } else if (char === '.') {
      names.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  names.push(current);
  return names;
}

/** The value at the path, or undefined when some step is absent or not an object. */
export function lookupProperty(root: JsonValue | undefined, names: readonly string[]): unknown {
  let value: JsonValue | undefined = root;
  for (const name of names) {
    if (!isJsonObject(value) || !Object.hasOwn(value, name)) return undefined;
    value = value[name];
  }
  return value;
}
