// The development setup: Cairn with the self-signed certificate it generates when given none, and
// both servers told not to verify certificates (Synapse: federation_verify_certificates false;
// Cairn: federation_verify_tls false). Keys still flow both ways, so a test that needs a Synapse
// peer but not verified TLS can start Cairn with no certificate setup at all.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import type { JsonObject } from '../../server/core/pdu.ts';
import { verifyJsonSignature } from '../../server/core/signing.ts';
import { loadOrCreateSigningKey } from '../../server/keys/signing-key-file.ts';
import { type CairnProcess, newDataDir, startCairn, testEnv } from '../support/cairn-process.ts';
import {
  freePort,
  type SynapsePeer,
  startSynapse,
  synapseAvailability,
} from '../support/synapse-peer.ts';

const availability = synapseAvailability();
let synapse: SynapsePeer;
let cairn: CairnProcess;
let cairnName: string;

before(async () => {
  if (!availability.ok) return;
  synapse = await startSynapse({ verifyPeerCertificates: false });
  const port = await freePort();
  cairnName = `localhost:${port}`;
  cairn = await startCairn(
    testEnv(newDataDir(), {
      CAIRN_SERVER_NAME: cairnName,
      CAIRN_FEDERATION_PORT: String(port),
      CAIRN_FEDERATION_ALLOW_PRIVATE_NETWORKS: 'true',
      CAIRN_FEDERATION_VERIFY_TLS: 'false',
    }),
  );
});

after(async () => {
  await cairn?.stop();
  await synapse?.stop();
});

async function insecureJson(url: string, body?: unknown): Promise<JsonObject> {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const response = await undiciFetch(url, {
      dispatcher,
      ...(body === undefined
        ? {}
        : {
            method: 'POST',
            body: JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as JsonObject;
  } finally {
    await dispatcher.close();
  }
}

test('keys flow both ways without certificate verification', async (t) => {
  if (!availability.ok) return t.skip(availability.reason);
  const cairnKey = loadOrCreateSigningKey(join(cairn.dataDir, 'signing.key'));
  const fromSynapse = await insecureJson(`${synapse.federationUrl}/_matrix/key/v2/query`, {
    server_keys: { [cairnName]: { [cairnKey.keyId]: { minimum_valid_until_ts: Date.now() } } },
  });
  const cairnResponse = (fromSynapse.server_keys as JsonObject[])[0];
  assert.ok(cairnResponse, `Synapse got no key for Cairn\n${synapse.logTail()}`);
  assert.ok(
    verifyJsonSignature(cairnResponse, cairnName, cairnKey.keyId, cairnKey.publicKeyBase64),
  );

  const fromCairn = await insecureJson(
    `${cairn.federationUrl}/_matrix/key/v2/query/${encodeURIComponent(synapse.serverName)}`,
  );
  const synapseResponse = (fromCairn.server_keys as JsonObject[])[0];
  assert.ok(synapseResponse, 'Cairn got no key for Synapse');
  const { keyId, publicKeyBase64 } = synapse.signingKey;
  assert.ok(verifyJsonSignature(synapseResponse, synapse.serverName, keyId, publicKeyBase64));
});
