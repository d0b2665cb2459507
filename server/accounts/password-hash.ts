// Password hashing with scrypt (memory-hard, in Node's crypto, so no native dependency).
// Stored as `scrypt$N$r$p$salt$hash` with base64 salt and hash: the string carries its own
// parameters, so they can be raised later and old hashes still verify (see needsRehash).

import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 bytes = 32 MiB and tens of milliseconds per hash: OWASP's scrypt minimum. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;

// A stored hash is data, possibly imported: unbounded parameters would let one crafted hash pin
// the CPU or exhaust memory on every login attempt.
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;
const MAX_P = 16;
const MAX_ENCODED_BYTES = 64;

export class InvalidPasswordHashError extends Error {
  constructor(reason: string) {
    super(`invalid password hash: ${reason}`);
    this.name = 'InvalidPasswordHashError';
  }
}

export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  checkParams(params);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, params);
  const { N, r, p } = params;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Throws InvalidPasswordHashError if `stored` is not a hash this module wrote. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const { params, salt, hash } = parse(stored);
  const candidate = await derive(password, salt, hash.length, params);
  return timingSafeEqual(candidate, hash);
}

/** Whether `stored` was made with other parameters than `params` and should be replaced. */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const current = parse(stored).params;
  return current.N !== params.N || current.r !== params.r || current.p !== params.p;
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    throw new InvalidPasswordHashError('expected scrypt$N$r$p$salt$hash');
  }
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,9}$/.test(part) ? Number(part) : NaN));
  const params = { N: N!, r: r!, p: p! };
  checkParams(params);
  const salt = Buffer.from(parts[4]!, 'base64');
  const hash = Buffer.from(parts[5]!, 'base64');
  const sizeOk = (bytes: Buffer, min: number) =>
    bytes.length >= min && bytes.length <= MAX_ENCODED_BYTES;
  if (!sizeOk(salt, 8) || !sizeOk(hash, 16)) {
    throw new InvalidPasswordHashError('salt or hash of unexpected length');
  }
  return { params, salt, hash };
}

function checkParams({ N, r, p }: ScryptParams): void {
  const powerOfTwo = Number.isSafeInteger(N) && N > 1 && N.toString(2).lastIndexOf('1') === 0;
  const inRange = Number.isSafeInteger(r) && r >= 1 && Number.isSafeInteger(p) && p >= 1;
  if (!powerOfTwo || !inRange || p > MAX_P || memoryBytes({ N, r, p }) > MAX_MEMORY_BYTES) {
    throw new InvalidPasswordHashError(`unsupported scrypt parameters N=${N} r=${r} p=${p}`);
  }
}

function memoryBytes({ N, r, p }: ScryptParams): number {
  return 128 * r * (N + p);
}

function derive(
  password: string,
  salt: Buffer,
  length: number,
  { N, r, p }: ScryptParams,
): Promise<Buffer> {
  // Node refuses to allocate more than `maxmem`, 32 MiB by default: exactly what N=2^15, r=8
  // needs, so the default fails. Allow twice the estimate.
  const options: ScryptOptions = { N, r, p, maxmem: 2 * memoryBytes({ N, r, p }) };
  // NFKC, as Synapse does: the same password typed with composed or decomposed characters
  // (macOS vs. other keyboards) must match.
  const input = password.normalize('NFKC');
  return new Promise((resolve, reject) => {
    scrypt(input, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
