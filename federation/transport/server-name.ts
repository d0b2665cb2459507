// A server name (or the `m.server` of a well-known reply) split into hostname and port, as the
// resolution steps need them.
// https://spec.matrix.org/latest/appendices/#server-name
import { isIP } from 'node:net';
import { isValidServerName } from '../../server/core/auth-rules/identifiers.ts';

export interface ParsedServerName {
  /** As written, without brackets around an IPv6 literal. */
  readonly hostname: string;
  readonly port: number | undefined;
  /** 4 or 6 for an IP literal, 0 for a DNS name. */
  readonly ipVersion: 0 | 4 | 6;
}

export class InvalidServerNameError extends Error {
  override name = 'InvalidServerNameError';
}

export function parseServerName(name: string): ParsedServerName {
  if (!isValidServerName(name)) throw new InvalidServerNameError(`invalid server name: ${name}`);
  let host = name;
  let port: number | undefined;
  // A port follows the last `:` unless that `:` is inside an IPv6 literal's brackets.
  const colon = name.lastIndexOf(':');
  if (colon >= 0 && colon > name.lastIndexOf(']')) {
    host = name.slice(0, colon);
    port = Number(name.slice(colon + 1));
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidServerNameError(`invalid port in server name: ${name}`);
    }
  }
  if (host.startsWith('[')) {
    const literal = host.slice(1, -1);
    if (isIP(literal) !== 6) throw new InvalidServerNameError(`invalid IPv6 literal: ${name}`);
    return { hostname: literal, port, ipVersion: 6 };
  }
  if (isIP(host) === 4) return { hostname: host, port, ipVersion: 4 };
  // Digits and dots that are not a valid IPv4 address (999.1.1.1) are no DNS name either.
  if (/^[0-9.]+$/.test(host) || host.startsWith('.') || host.includes('..')) {
    throw new InvalidServerNameError(`invalid hostname in server name: ${name}`);
  }
  return { hostname: host.toLowerCase(), port, ipVersion: 0 };
}

/** `host[:port]` as a Host header or URL authority writes it (IPv6 in brackets). */
export function formatAuthority(hostname: string, port?: number): string {
  const host = isIP(hostname) === 6 ? `[${hostname}]` : hostname;
  return port === undefined ? host : `${host}:${port}`;
}
