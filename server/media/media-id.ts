// Media ids: the opaque second half of an mxc:// URI. Random, so URIs cannot be guessed.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 24 letters: about 136 bits of randomness. */
export function newMediaId(): string {
  const bytes = randomBytes(24);
  let id = '';
  // 256 is not a multiple of 52; the slight bias toward the first letters costs a fraction of a bit.
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

/** Server names and media ids in mxc:// URIs: the spec's grammar, [A-Za-z0-9_-] for ids. */
export function isValidMediaId(mediaId: string): boolean {
  return /^[A-Za-z0-9_-]{1,255}$/.test(mediaId);
}
