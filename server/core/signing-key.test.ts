import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64 } from './base64.ts';
import {
  isValidKeyVersion,
  keyIdOf,
  parseKeyId,
  parseSigningKeyFile,
  SigningKeyError,
  serializeSigningKeyFile,
} from './signing-key.ts';

const SPEC_SEED = 'YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1';

describe('signing key file', () => {
  it('parses a Synapse key line', () => {
    const [key, ...rest] = parseSigningKeyFile(`ed25519 a_XRhW ${SPEC_SEED}\n`);
    assert.equal(rest.length, 0);
    assert.equal(key?.algorithm, 'ed25519');
    assert.equal(key?.version, 'a_XRhW');
    assert.deepEqual(key?.seed, decodeBase64(SPEC_SEED));
    assert.equal(keyIdOf(key!), 'ed25519:a_XRhW');
  });

  it('parses several keys, blank lines, CRLF and padded seeds', () => {
    const keys = parseSigningKeyFile(
      `\ned25519 1 ${SPEC_SEED}\r\n\n  ed25519  auto  ${SPEC_SEED}=  \n`,
    );
    assert.deepEqual(
      keys.map((k) => k.version),
      ['1', 'auto'],
    );
  });

  it('writes canonical unpadded base64, one line per key', () => {
    const keys = parseSigningKeyFile(`ed25519 1 ${SPEC_SEED}`);
    // The spec's seed has non-zero trailing bits; written back they are zero.
    assert.equal(
      serializeSigningKeyFile(keys),
      'ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0\n',
    );
    assert.deepEqual(parseSigningKeyFile(serializeSigningKeyFile([...keys, ...keys])).length, 2);
  });

  it('rejects malformed lines with the line number', () => {
    const cases = [
      `ed25519 1`,
      `curve25519 1 ${SPEC_SEED}`,
      `ed25519 a:b ${SPEC_SEED}`,
      `ed25519 1 ${SPEC_SEED} extra`,
      'ed25519 1 not*base64',
      'ed25519 1 Zm9vYmFy',
    ];
    for (const line of cases) {
      assert.throws(() => parseSigningKeyFile(`\n${line}`), /line 2/, line);
      assert.throws(() => parseSigningKeyFile(line), SigningKeyError, line);
    }
    assert.throws(
      () =>
        serializeSigningKeyFile([{ algorithm: 'ed25519', version: 'x', seed: new Uint8Array(3) }]),
      SigningKeyError,
    );
  });
});

describe('key ids', () => {
  it('splits at the first colon', () => {
    assert.deepEqual(parseKeyId('ed25519:abc'), { algorithm: 'ed25519', version: 'abc' });
    assert.deepEqual(parseKeyId('ed25519:a:b'), { algorithm: 'ed25519', version: 'a:b' });
    for (const bad of ['ed25519', ':abc', 'ed25519:', '']) assert.equal(parseKeyId(bad), undefined);
  });

  it('checks versions against [a-zA-Z0-9_]', () => {
    assert.ok(isValidKeyVersion('a_XRhW0'));
    for (const bad of ['', 'a-b', 'a:b', 'é']) assert.ok(!isValidKeyVersion(bad), bad);
  });
});
