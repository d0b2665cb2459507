// The pure EIP-4361 checks, as case tables: what parses, and which fields refuse a message here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Wallet } from 'ethers';
import { TEST_NOW } from '../../../conformance-tests/support/databases.ts';
import { siweMessageText } from '../../../conformance-tests/support/siwe-messages.ts';
import { MatrixError } from '../../http/matrix-error.ts';
import {
  CLOCK_SKEW_MS,
  parseSiweMessage,
  type SiweExpectations,
  siweMessageRejection,
} from './siwe-message.ts';
import { localpartOfAddress } from './siwe-settings.ts';

const wallet = new Wallet(`0x${'11'.repeat(32)}`);
const NONCE = 'a1b2c3d4e5f6a7b8';
const iso = (ms: number) => new Date(ms).toISOString();
const expect: SiweExpectations = {
  domain: 'example.org',
  baseUrl: 'http://example.org:8008/',
  chainId: 1,
  now: TEST_NOW,
};

test('a well-formed message parses to its fields, times in milliseconds', () => {
  const text = siweMessageText(wallet.address, {
    nonce: NONCE,
    expirationTime: iso(TEST_NOW + 60_000),
    notBefore: '2026-11-21T01:00:00+01:00',
  });
  const fields = parseSiweMessage(text);
  assert.deepEqual(fields, {
    scheme: undefined,
    domain: 'example.org',
    address: wallet.address,
    uri: 'http://example.org:8008/',
    chainId: 1,
    nonce: NONCE,
    issuedAtMs: TEST_NOW,
    expirationMs: TEST_NOW + 60_000,
    notBeforeMs: TEST_NOW,
  });
  assert.equal(siweMessageRejection(fields, expect), undefined);
});

test('malformed messages are M_INVALID_PARAM, naming the problem', () => {
  const good = siweMessageText(wallet.address, { nonce: NONCE });
  const cases: [string, string, RegExp][] = [
    ['not a message', 'hello', /not an EIP-4361 message/],
    ['lower-case address', good.replace(wallet.address, wallet.address.toLowerCase()), /EIP-55/],
    ['wrong checksum', good.replace(wallet.address, wrongChecksum(wallet.address)), /EIP-55/],
    ['short nonce', good.replace(NONCE, 'abc'), /nonce/],
    ['version 2', good.replace('Version: 1', 'Version: 2'), /version/],
    ['chain id not a number', good.replace('Chain ID: 1', 'Chain ID: one'), /chain-id/],
    ['bad issued-at', good.replace(iso(TEST_NOW), 'yesterday'), /issued-at/],
    ['no URI', good.replace(/URI: .*\n/, ''), /not an EIP-4361 message/],
    ['too long', `${good}\n${'x'.repeat(5000)}`, /longer than/],
  ];
  for (const [what, text, message] of cases) {
    assert.throws(
      () => parseSiweMessage(text),
      (error: unknown) =>
        error instanceof MatrixError &&
        error.status === 400 &&
        error.errcode === 'M_INVALID_PARAM' &&
        message.test(error.message),
      what,
    );
  }
});

test('rejections: domain, scheme, URI origin, chain id, issued-at, not-before, expiry', () => {
  const fields = (extra: Partial<Parameters<typeof siweMessageText>[1]>) =>
    parseSiweMessage(siweMessageText(wallet.address, { nonce: NONCE, ...extra }));
  const refused: [string, Parameters<typeof siweMessageText>[1] | object, RegExp][] = [
    ['another domain', { domain: 'evil.example' }, /for evil.example, not example.org/],
    ['domain with a port', { domain: 'example.org:8008' }, /not example.org/],
    ['https scheme for an http server', { scheme: 'https' }, /scheme https/],
    ['another host in the URI', { uri: 'http://evil.example:8008/' }, /not on/],
    ['another port in the URI', { uri: 'http://example.org/' }, /not on/],
    ['https URI for an http server', { uri: 'https://example.org:8008/' }, /not on/],
    ['an opaque URI', { uri: 'urn:example:org' }, /not on/],
    ['another chain', { chainId: 5 }, /chain 5, not 1/],
    ['issued too far ahead', { issuedAt: iso(TEST_NOW + CLOCK_SKEW_MS + 1) }, /future/],
    ['not valid yet', { notBefore: iso(TEST_NOW + CLOCK_SKEW_MS + 1) }, /not valid yet/],
    ['expired', { expirationTime: iso(TEST_NOW - 1) }, /expired/],
    ['expiring now', { expirationTime: iso(TEST_NOW) }, /expired/],
  ];
  for (const [what, extra, reason] of refused) {
    const rejection = siweMessageRejection(fields(extra), expect);
    assert.match(rejection ?? 'accepted', reason, what);
  }
  const accepted: [string, object][] = [
    ['domain in upper case', { domain: 'EXAMPLE.ORG' }],
    ['matching scheme', { scheme: 'http' }],
    ['a path on the origin', { uri: 'http://example.org:8008/_matrix/client' }],
    ['issued within the skew', { issuedAt: iso(TEST_NOW + CLOCK_SKEW_MS) }],
    ['issued long ago (the nonce bounds its age)', { issuedAt: iso(TEST_NOW - 86_400_000) }],
    ['not-before within the skew', { notBefore: iso(TEST_NOW + CLOCK_SKEW_MS) }],
    ['expiring later', { expirationTime: iso(TEST_NOW + 1) }],
  ];
  for (const [what, extra] of accepted) {
    assert.equal(siweMessageRejection(fields(extra), expect), undefined, what);
  }
});

test('localparts: the template with the lower-case address, no 0x', () => {
  assert.equal(
    localpartOfAddress('eth_{address}', wallet.address),
    `eth_${wallet.address.slice(2).toLowerCase()}`,
  );
  assert.equal(localpartOfAddress('{address}.wallet', '0xABCDEF'), 'abcdef.wallet');
});

/** The address with the case of its first letter flipped: same address, wrong checksum. */
function wrongChecksum(address: string): string {
  const i = [...address].findIndex((c, index) => index > 1 && /[a-fA-F]/.test(c));
  const c = address[i]!;
  const flipped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
  return address.slice(0, i) + flipped + address.slice(i + 1);
}
