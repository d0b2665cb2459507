// GET /_matrix/key/v2/server
// https://spec.matrix.org/latest/server-server-api/#get_matrixkeyv2server
// The server's own signing key, signed by itself. Other servers cache it until valid_until_ts.
// The body is sent as canonical JSON: some verifiers (Complement among them) check the signature
// against the bytes received, minus `signatures`, rather than re-encoding what they parsed.
import type { Context } from '../../server/context.ts';
import { encodeCanonicalJson } from '../../server/core/canonical-json.ts';
import { signJson } from '../../server/core/signing.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';

export const getServerKeys = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/key/v2/server',
  handler: (ctx, _request, reply) => {
    const { config, signingKey } = ctx;
    const response = {
      server_name: config.serverName,
      verify_keys: { [signingKey.keyId]: { key: signingKey.publicKeyBase64 } },
      old_verify_keys: {},
      valid_until_ts: ctx.now() + config.serverKeyValidityHours * 3600_000,
    };
    const signed = signJson(response, config.serverName, signingKey.keyId, signingKey.privateKey);
    reply.header('content-type', 'application/json');
    return encodeCanonicalJson(signed);
  },
});
