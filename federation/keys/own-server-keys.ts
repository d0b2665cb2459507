// Our key server response: our signing key, signed by itself, valid for the configured hours.
// Served at /_matrix/key/v2/server and, for our own name, by the notary endpoints.
// https://spec.matrix.org/latest/server-server-api/#publishing-keys
import type { Context } from '../../server/context.ts';
import type { JsonObject } from '../../server/core/pdu.ts';
import { signJson } from '../../server/core/signing.ts';

export function ownServerKeys(ctx: Pick<Context, 'config' | 'signingKey' | 'now'>): JsonObject {
  const { config, signingKey } = ctx;
  const response = {
    server_name: config.serverName,
    verify_keys: { [signingKey.keyId]: { key: signingKey.publicKeyBase64 } },
    old_verify_keys: {},
    valid_until_ts: ctx.now() + config.serverKeyValidityHours * 3600_000,
  };
  return signJson(response, config.serverName, signingKey.keyId, signingKey.privateKey);
}
