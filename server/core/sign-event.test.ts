import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeBase64 } from './base64.ts';
import {
  RC_V10,
  SPEC_MESSAGE_EVENT,
  SPEC_MINIMAL_EVENT,
  SPEC_SIGNER,
} from './event-test-vectors.ts';
import type { Pdu } from './pdu.ts';
import { redactEvent } from './redaction.ts';
import { getRoomVersion } from './room-versions.ts';
import {
  checkEventContentHash,
  hashAndSignEvent,
  MalformedEventError,
  serversRequiredToSign,
  verifyEventSignatures,
} from './sign-event.ts';
import { generateSeed, publicKeyOf } from './signing.ts';
import { parseSigningKeyFile } from './signing-key.ts';

const version = (id: string) => getRoomVersion(id)!;
const SIGNER = {
  serverName: SPEC_SIGNER.serverName,
  keyId: SPEC_SIGNER.keyId,
  key: decodeBase64(SPEC_SIGNER.seed),
};
const SPEC_KEYS = new Map([[SPEC_SIGNER.keyId, SPEC_SIGNER.publicKey]]);
const PRE_V11 = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

describe('hashAndSignEvent: spec vectors', () => {
  // The vectors predate v11: they sign `origin`, which v11 no longer protects from redaction.
  for (const id of PRE_V11) {
    it(`v${id}: signs the minimal event and the redactable event as the spec shows`, () => {
      assert.deepEqual(
        hashAndSignEvent(version(id), SPEC_MINIMAL_EVENT.input, SIGNER),
        SPEC_MINIMAL_EVENT.signed,
      );
      assert.deepEqual(
        hashAndSignEvent(version(id), SPEC_MESSAGE_EVENT.input, SIGNER),
        SPEC_MESSAGE_EVENT.signed,
      );
    });
  }

  it('v11 and v12 sign other bytes (no origin), which still verify', () => {
    for (const id of ['11', '12']) {
      const signed = hashAndSignEvent(version(id), SPEC_MINIMAL_EVENT.input, SIGNER);
      assert.deepEqual(signed.hashes, SPEC_MINIMAL_EVENT.signed.hashes);
      assert.notDeepEqual(signed.signatures, SPEC_MINIMAL_EVENT.signed.signatures);
      assert.deepEqual(verifyEventSignatures(version(id), signed, 'domain', SPEC_KEYS), {
        ok: true,
        keyIds: ['ed25519:1'],
      });
    }
  });

  it('re-signs the v10 events of another implementation byte for byte', () => {
    const [key] = parseSigningKeyFile(RC_V10.keyFileLine);
    const signer = { serverName: RC_V10.serverName, keyId: RC_V10.keyId, key: key!.seed };
    for (const { pdu } of RC_V10.events) {
      const { hashes: _h, signatures: _s, ...bare } = pdu;
      assert.deepEqual(hashAndSignEvent(version('10'), bare as Pdu, signer), pdu, pdu.type);
    }
  });

  it('keeps signatures already on the event', () => {
    const input = { ...SPEC_MINIMAL_EVENT.input, signatures: { other: { 'ed25519:9': 'sig' } } };
    const signed = hashAndSignEvent(version('10'), input, SIGNER);
    assert.deepEqual(signed.signatures, {
      ...SPEC_MINIMAL_EVENT.signed.signatures,
      other: { 'ed25519:9': 'sig' },
    });
  });
});

describe('verifyEventSignatures', () => {
  const v10 = version('10');
  const signed = SPEC_MESSAGE_EVENT.signed;

  it('accepts the spec event, whole or redacted', () => {
    assert.deepEqual(verifyEventSignatures(v10, signed, 'domain', SPEC_KEYS), {
      ok: true,
      keyIds: ['ed25519:1'],
    });
    const redacted = redactEvent(v10, signed);
    assert.deepEqual(verifyEventSignatures(v10, redacted, 'domain', SPEC_KEYS).ok, true);
    // Redaction survives the signature but not the content hash: that is how a server tells.
    assert.ok(checkEventContentHash(v10, signed));
    assert.ok(!checkEventContentHash(v10, redacted));
  });

  it('rejects a change to a protected field; ignores a change to content', () => {
    assert.deepEqual(
      verifyEventSignatures(v10, { ...signed, sender: '@evil:domain' }, 'domain', SPEC_KEYS),
      {
        ok: false,
        reason: 'bad-signature',
        keyId: 'ed25519:1',
      },
    );
    const edited = { ...signed, content: { body: 'edited' } };
    assert.ok(verifyEventSignatures(v10, edited, 'domain', SPEC_KEYS).ok);
    assert.ok(!checkEventContentHash(v10, edited));
  });

  it('tells an unsigned event from one signed under unknown keys only', () => {
    assert.deepEqual(verifyEventSignatures(v10, signed, 'other.org', SPEC_KEYS), {
      ok: false,
      reason: 'unsigned',
    });
    assert.deepEqual(
      verifyEventSignatures(v10, signed, 'domain', new Map([['ed25519:2', SPEC_SIGNER.publicKey]])),
      {
        ok: false,
        reason: 'no-known-key',
      },
    );
    const wrongKey = new Map([['ed25519:1', publicKeyOf(generateSeed(randomBytes))]]);
    assert.equal(verifyEventSignatures(v10, signed, 'domain', wrongKey).ok, false);
  });

  it('ignores signatures under algorithms it does not know', () => {
    const extra = {
      ...signed,
      signatures: { domain: { ...(signed.signatures.domain as object), 'curve25519:1': 'x' } },
    } as Pdu;
    const keys = new Map([...SPEC_KEYS, ['curve25519:1', SPEC_SIGNER.publicKey]]);
    assert.deepEqual(verifyEventSignatures(v10, extra, 'domain', keys), {
      ok: true,
      keyIds: ['ed25519:1'],
    });
  });
});

describe('serversRequiredToSign', () => {
  const member = (content: object) =>
    ({
      type: 'm.room.member',
      sender: '@a:one.org:8448',
      state_key: '@b:two.org',
      content,
    }) as unknown as Pdu;

  it('needs the sender server, and in v1 and v2 the event id server too', () => {
    assert.deepEqual(serversRequiredToSign(version('10'), member({ membership: 'join' })), [
      'one.org:8448',
    ]);
    const v1 = { ...member({ membership: 'join' }), event_id: '$x:three.org' };
    assert.deepEqual(serversRequiredToSign(version('1'), v1), ['one.org:8448', 'three.org']);
    assert.deepEqual(serversRequiredToSign(version('2'), { ...v1, event_id: '$x:one.org:8448' }), [
      'one.org:8448',
    ]);
  });

  it('does not need the sender server for an invite through a third-party invite', () => {
    const invite = member({ membership: 'invite', third_party_invite: { signed: {} } });
    assert.deepEqual(serversRequiredToSign(version('10'), invite), []);
  });

  it('throws on a sender or v1 event id without a server name', () => {
    assert.throws(
      () => serversRequiredToSign(version('10'), { ...member({}), sender: '@nobody' }),
      MalformedEventError,
    );
    assert.throws(
      () => serversRequiredToSign(version('1'), { ...member({}), event_id: '$x' }),
      MalformedEventError,
    );
  });
});
