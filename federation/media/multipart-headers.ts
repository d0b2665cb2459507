// Header lines and Content-Type parameters of multipart/mixed bodies (multipart-mixed-reader.ts),
// and the errors the reader throws: strict about what could be read two ways (control
// characters, a header or parameter twice, names that are not tokens).

export class MultipartError extends Error {
  override name = 'MultipartError';
}

// The media part is longer than the caller's maxBytes: the rest of it is never read.
export class MultipartTooLargeError extends MultipartError {
  override name = 'MultipartTooLargeError';
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Control characters other than tab cannot be in a header value.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** A part's header lines (folded ones joined), by lowercase name; a name twice is refused. */
export function parseHeaderLines(lines: string[]): Record<string, string> {
  const headers = new Map<string, string>();
  let previous: string | undefined;
  for (const line of lines) {
    if (CONTROL.test(line)) throw new MultipartError('part header has control characters');
    if (line[0] === ' ' || line[0] === '\t') {
      // RFC 5322 folding: a continuation of the previous header's value.
      if (previous === undefined) throw new MultipartError('part headers start with a fold');
      headers.set(previous, `${headers.get(previous)} ${line.trim()}`.trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon === -1 || !TOKEN.test(name)) throw new MultipartError('malformed part header');
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    // Two values for one header could be read differently by each consumer: refuse both.
    if (headers.has(name)) throw new MultipartError(`part header ${name} appears twice`);
    headers.set(name, value);
    previous = name;
  }
  return Object.fromEntries(headers);
}

/** The `; name=value` parameters after a media type (quoted strings unescaped). */
export function parseParameters(text: string): Map<string, string> {
  const params = new Map<string, string>();
  let at = 0;
  const skipSpace = () => {
    while (text[at] === ' ' || text[at] === '\t') at += 1;
  };
  for (;;) {
    skipSpace();
    if (at >= text.length) return params;
    if (text[at] !== ';') throw new MultipartError('malformed Content-Type parameters');
    at += 1;
    skipSpace();
    if (at >= text.length) return params;
    const equals = text.indexOf('=', at);
    const name = text.slice(at, equals).toLowerCase();
    if (equals === -1 || !TOKEN.test(name)) throw new MultipartError('malformed Content-Type');
    at = equals + 1;
    let value = '';
    if (text[at] === '"') {
      for (at += 1; text[at] !== '"'; at += 1) {
        if (text[at] === '\\') at += 1;
        if (at >= text.length) throw new MultipartError('unterminated quoted Content-Type value');
        value += text[at];
      }
      at += 1;
    } else {
      const match = /^[^;\s]*/.exec(text.slice(at))?.[0] ?? '';
      if (!TOKEN.test(match)) throw new MultipartError(`Content-Type ${name} is not a token`);
      value = match;
      at += match.length;
    }
    if (params.has(name)) throw new MultipartError(`Content-Type has ${name} twice`);
    params.set(name, value);
  }
}

/** The media type without parameters, lowercase. */
export function essence(mediaType: string): string {
  return (mediaType.split(';', 1)[0] ?? '').trim().toLowerCase();
}
