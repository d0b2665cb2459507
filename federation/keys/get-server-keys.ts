// GET /_matrix/key/v2/server
// https://spec.matrix.org/latest/server-server-api/#get_matrixkeyv2server
// The server's own signing key, signed by itself. Other servers cache it until valid_until_ts.
import type { Context } from '../../server/context.ts';
import { signJson } from '../../server/core/signing.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';

export const getServerKeys = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/key/v2/server',
  handler: (ctx) => {
    const { config, signingKey } = ctx;
    const response = {
      server_name: config.serverName,
      verify_keys: { [signingKey.keyId]: { key: signingKey.publicKeyBase64 } },
      old_verify_keys: {},
      valid_until_ts: ctx.now() + config.serverKeyValidityHours * 3600_000,
    };
    return signJson(response, config.serverName, signingKey.keyId, signingKey.privateKey);
  },
});
