// Application service namespaces: lists of regular expressions over user ids, room aliases and
// room ids, each exclusive or not. Pure.
// https://spec.matrix.org/latest/application-service-api/#registration
//
// A regex matches from the start of the value but need not reach its end, as in Synapse, where
// registrations in the wild were written against: `@_irc_` claims every id beginning so. The spec
// leaves this open; an end anchor in the registration (`...:example\.org$`) still works.

export interface NamespaceEntry {
  readonly exclusive: boolean;
  readonly regex: RegExp;
}

export interface Namespaces {
  readonly users: readonly NamespaceEntry[];
  readonly aliases: readonly NamespaceEntry[];
  readonly rooms: readonly NamespaceEntry[];
}

/** Compiles a registration's regex; throws SyntaxError for one JavaScript cannot read. */
export function compileNamespaceRegex(source: string): RegExp {
  // Alone first: a source that compiles on its own is balanced, so wrapping it cannot let an
  // alternative such as `a)|(b` escape the anchor.
  new RegExp(source);
  return new RegExp(`^(?:${source})`);
}

/** Whether any entry (exclusive or not) covers `value`. */
export function inNamespace(entries: readonly NamespaceEntry[], value: string): boolean {
  return entries.some((entry) => entry.regex.test(value));
}

/** Whether an exclusive entry covers `value`. */
export function inExclusiveNamespace(entries: readonly NamespaceEntry[], value: string): boolean {
  return entries.some((entry) => entry.exclusive && entry.regex.test(value));
}
