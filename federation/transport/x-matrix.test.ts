// X-Matrix signing and parsing: the spec's example header, RFC 9110 parameter syntax, and the
// signature checked against tweetnacl over hand-written canonical JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import nacl from 'tweetnacl';
import { decodeBase64, encodeBase64 } from '../../server/core/base64.ts';
import {
  authorizationHeader,
  formatXMatrix,
  parseXMatrix,
  requestJson,
  type SignedRequest,
  signRequest,
  verifyRequest,
  XMatrixParseError,
  xMatrixSigner,
} from './x-matrix.ts';

// https://spec.matrix.org/latest/appendices/#cryptographic-test-vectors
const SEED = decodeBase64('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1');
const PUBLIC_KEY = 'XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI';
const KEY = { keyId: 'ed25519:1', privateKey: SEED };

const REQUEST: SignedRequest = {
  method: 'PUT',
  uri: '/_matrix/federation/v1/send/txn1?x=%20y',
  origin: 'origin.hs.example.com',
  destination: 'destination.hs.example.com',
  content: { pdus: [], edus: [{ edu_type: 'm.typing', content: { typing: true } }] },
};

describe('X-Matrix signing', () => {
  it('signs the spec JSON {method, uri, origin, destination, content}', () => {
    assert.deepEqual(requestJson(REQUEST), {
      method: 'PUT',
      uri: '/_matrix/federation/v1/send/txn1?x=%20y',
      origin: 'origin.hs.example.com',
      destination: 'destination.hs.example.com',
      content: REQUEST.content,
    });
    assert.equal('content' in requestJson({ ...REQUEST, content: undefined }), false);
    // The same bytes signed independently: keys sorted, no spaces.
    const canonical =
      '{"content":{"edus":[{"content":{"typing":true},"edu_type":"m.typing"}],"pdus":[]},' +
      '"destination":"destination.hs.example.com","method":"PUT",' +
      '"origin":"origin.hs.example.com","uri":"/_matrix/federation/v1/send/txn1?x=%20y"}';
    const expected = nacl.sign.detached(
      Buffer.from(canonical),
      nacl.sign.keyPair.fromSeed(SEED).secretKey,
    );
    const auth = signRequest(REQUEST, KEY.keyId, KEY.privateKey);
    assert.equal(auth.sig, encodeBase64(expected));
    assert.deepEqual(
      { ...auth, sig: '' },
      {
        origin: 'origin.hs.example.com',
        destination: 'destination.hs.example.com',
        key: 'ed25519:1',
        sig: '',
      },
    );
  });

  it('formats the header as the spec example and parses it back', () => {
    const header = authorizationHeader(REQUEST, KEY);
    const sig = signRequest(REQUEST, KEY.keyId, KEY.privateKey).sig;
    assert.equal(
      header,
      `X-Matrix origin="origin.hs.example.com",destination="destination.hs.example.com",key="ed25519:1",sig="${sig}"`,
    );
    assert.deepEqual(parseXMatrix(header), {
      origin: 'origin.hs.example.com',
      destination: 'destination.hs.example.com',
      key: 'ed25519:1',
      sig,
    });
  });

  it('a header from the signer verifies; any changed byte does not', () => {
    const header = authorizationHeader(REQUEST, KEY);
    assert.equal(verifyRequest(REQUEST, parseXMatrix(header), PUBLIC_KEY), true);
    const sig = parseXMatrix(header).sig;
    for (let i = 0; i < sig.length; i++) {
      const changed = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
      const auth = { ...parseXMatrix(header), sig: changed };
      // The last character carries 4 unused bits: a change there may decode to the same bytes.
      if (encodeBase64(decodeBase64(changed)) === sig) continue;
      assert.equal(verifyRequest(REQUEST, auth, PUBLIC_KEY), false, `sig byte ${i}`);
    }
    const auth = parseXMatrix(header);
    const variants: SignedRequest[] = [
      { ...REQUEST, method: 'POST' },
      { ...REQUEST, uri: '/_matrix/federation/v1/send/txn1?x=%20z' },
      { ...REQUEST, uri: '/_matrix/federation/v1/send/txn1' },
      { ...REQUEST, destination: 'other.example.com' },
      { ...REQUEST, content: { pdus: [], edus: [] } },
      { ...REQUEST, content: undefined },
    ];
    for (const variant of variants) assert.equal(verifyRequest(variant, auth, PUBLIC_KEY), false);
    assert.equal(
      verifyRequest({ ...REQUEST, origin: 'evil.example.com' }, auth, PUBLIC_KEY),
      false,
    );
    // The key id is not covered by the signature: it only picks the public key, which the caller
    // looks up for the origin (verify-request.ts); an algorithm other than ed25519 never verifies.
    assert.equal(verifyRequest(REQUEST, { ...auth, key: 'curve25519:1' }, PUBLIC_KEY), false);
    assert.equal(verifyRequest(REQUEST, { ...auth, sig: 'not base64!' }, PUBLIC_KEY), false);
    const otherKey = encodeBase64(nacl.sign.keyPair.fromSeed(new Uint8Array(32)).publicKey);
    assert.equal(verifyRequest(REQUEST, auth, otherKey), false);
  });

  it('signs and verifies bodies of old room versions (floats) and none', () => {
    const legacy = { ...REQUEST, content: { pdus: [{ depth: 1.5 }] } };
    const header = authorizationHeader(legacy, KEY);
    assert.equal(verifyRequest(legacy, parseXMatrix(header), PUBLIC_KEY), true);
    const get = { ...REQUEST, method: 'GET', content: undefined };
    assert.equal(verifyRequest(get, parseXMatrix(authorizationHeader(get, KEY)), PUBLIC_KEY), true);
    // A body with no UTF-8 form cannot have been signed: false, not an exception.
    const broken = { ...REQUEST, content: { text: '\ud800' } };
    assert.equal(
      verifyRequest(broken, parseXMatrix(authorizationHeader(get, KEY)), PUBLIC_KEY),
      false,
    );
  });

  it('xMatrixSigner makes the header the federation client sends', () => {
    const authorize = xMatrixSigner('origin.hs.example.com', KEY);
    const header = authorize(REQUEST.method, REQUEST.uri, REQUEST.destination, REQUEST.content);
    assert.equal(header, authorizationHeader(REQUEST, KEY));
    const get = authorize('GET', '/_matrix/federation/v1/version', 'd.example', undefined);
    const request = {
      method: 'GET',
      uri: '/_matrix/federation/v1/version',
      origin: 'origin.hs.example.com',
      destination: 'd.example',
    };
    assert.equal(verifyRequest(request, parseXMatrix(get), PUBLIC_KEY), true);
  });

  it('quotes values with escapes', () => {
    assert.equal(
      formatXMatrix({ origin: 'a"b\\c', key: 'ed25519:1', sig: 's' }),
      'X-Matrix origin="a\\"b\\\\c",key="ed25519:1",sig="s"',
    );
    assert.equal(
      parseXMatrix(formatXMatrix({ origin: 'a"b\\c', key: 'ed25519:1', sig: 's' })).origin,
      'a"b\\c',
    );
  });
});

describe('X-Matrix parsing', () => {
  const expected = {
    origin: 'origin.hs.example.com:8448',
    destination: 'dest.example.com',
    key: 'ed25519:key1',
    sig: 'AB+/cd',
  };
  const accepted: [string, string][] = [
    [
      'the spec form',
      'X-Matrix origin="origin.hs.example.com:8448",destination="dest.example.com",key="ed25519:key1",sig="AB+/cd"',
    ],
    [
      'any order, any case of scheme and names',
      'x-matrix SIG="AB+/cd",Key="ed25519:key1",DESTINATION="dest.example.com",Origin="origin.hs.example.com:8448"',
    ],
    [
      'bare values with colons, slashes and plus',
      'X-Matrix origin=origin.hs.example.com:8448,destination=dest.example.com,key=ed25519:key1,sig=AB+/cd',
    ],
    [
      'spaces and tabs around commas and equals, several after the scheme',
      'X-MATRIX   origin = "origin.hs.example.com:8448" ,\tdestination="dest.example.com" , key="ed25519:key1",sig="AB+/cd"  ',
    ],
    [
      'unknown parameters ignored, even with commas inside quotes',
      'X-Matrix foo="a, b=c",origin="origin.hs.example.com:8448",destination="dest.example.com",key="ed25519:key1",bar=baz,sig="AB+/cd"',
    ],
    [
      'backslash escapes unescaped',
      'X-Matrix origin="origin.hs.example\\.com:8448",destination="dest.example.com",key="ed25519:\\key1",sig="AB+/cd"',
    ],
    [
      'empty list elements',
      'X-Matrix ,origin="origin.hs.example.com:8448",,destination="dest.example.com",key="ed25519:key1",sig="AB+/cd",',
    ],
  ];
  for (const [what, header] of accepted) {
    it(`accepts ${what}`, () => assert.deepEqual(parseXMatrix(header), expected));
  }

  it('accepts a header without destination (servers before v1.3)', () => {
    assert.deepEqual(parseXMatrix('X-Matrix origin=a.example,key="ed25519:1",sig="x"'), {
      origin: 'a.example',
      destination: undefined,
      key: 'ed25519:1',
      sig: 'x',
    });
  });

  const rejected: [string, string][] = [
    ['another scheme', 'Bearer abc'],
    ['no space after the scheme', 'X-Matrixorigin="a",key="ed25519:1",sig="x"'],
    ['the scheme alone', 'X-Matrix'],
    ['no parameters', 'X-Matrix '],
    ['no origin', 'X-Matrix key="ed25519:1",sig="x"'],
    ['no key', 'X-Matrix origin="a",sig="x"'],
    ['no sig', 'X-Matrix origin="a",key="ed25519:1"'],
    ['an empty origin', 'X-Matrix origin="",key="ed25519:1",sig="x"'],
    ['an unterminated quote', 'X-Matrix origin="a,key="ed25519:1",sig="x'],
    ['a trailing backslash', 'X-Matrix origin="a",key="ed25519:1",sig="x\\'],
    ['a repeated parameter', 'X-Matrix origin="a",origin="b",key="ed25519:1",sig="x"'],
    ['a parameter without value', 'X-Matrix origin=,key="ed25519:1",sig="x"'],
    ['a parameter without "="', 'X-Matrix origin,key="ed25519:1",sig="x"'],
    ['two values without comma', 'X-Matrix origin="a" key="ed25519:1",sig="x"'],
    ['a control character in a quoted value', 'X-Matrix origin="a\nb",key="ed25519:1",sig="x"'],
    ['a quote inside a bare value', 'X-Matrix origin=a"b,key="ed25519:1",sig="x"'],
  ];
  for (const [what, header] of rejected) {
    it(`rejects ${what}`, () => assert.throws(() => parseXMatrix(header), XMatrixParseError));
  }
});
