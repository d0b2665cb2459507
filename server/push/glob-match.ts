// Glob matching for push rules: `*` is any run of characters, `?` exactly one, and the match is
// case-insensitive. A pattern either matches the whole value, or (for `content.body`, content
// rules and display names) any part of it that starts and ends at a word boundary. Pure.
// https://spec.matrix.org/latest/appendices/#glob-style-matching
// https://spec.matrix.org/latest/client-server-api/#conditions-1

export type GlobMode = 'whole' | 'words';

// The same few patterns are matched against every event for every member: compile each once.
const MAX_CACHED = 2000;
const cache = new Map<string, RegExp>();

// A word boundary is the start or end of the value, or a character outside [A-Za-z0-9_]. The
// matched part may begin or end with such a character itself (`@room` in `x@room`, as Synapse
// matches it); what may not happen is a match that splits a word.
const WORD = '[A-Za-z0-9_]';
const START = `(?:(?<!${WORD})|(?!${WORD}))`;
const END = `(?:(?!${WORD})|(?<!${WORD}))`;

export function globMatches(pattern: string, value: string, mode: GlobMode): boolean {
  return compile(pattern, mode).test(value);
}

/** Matches `literal` (no wildcards) at word boundaries: how a display name is looked for. */
export function containsWords(literal: string, value: string): boolean {
  return compile(literal, 'literal').test(value);
}

function compile(pattern: string, mode: GlobMode | 'literal'): RegExp {
  const key = `${mode}\u0000${pattern}`;
  let found = cache.get(key);
  if (!found) {
    const body =
      mode === 'literal'
        ? escapeRegExp(pattern)
        : [...pattern.replace(/\*+/g, '*')]
            .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : escapeRegExp(char)))
            .join('');
    found = new RegExp(mode === 'whole' ? `^${body}$` : `${START}${body}${END}`, 'isu');
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, found);
  }
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
