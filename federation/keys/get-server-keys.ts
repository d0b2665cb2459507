// GET /_matrix/key/v2/server
// https://spec.matrix.org/latest/server-server-api/#get_matrixkeyv2server
// The server's own signing key, signed by itself. Other servers cache it until valid_until_ts.
// The body is sent as canonical JSON: some verifiers (Complement among them) check the signature
// against the bytes received, minus `signatures`, rather than re-encoding what they parsed.
import type { Context } from '../../server/context.ts';
import { encodeCanonicalJson } from '../../server/core/canonical-json.ts';
import { defineEndpoint } from '../../server/http/endpoint.ts';
import { ownServerKeys } from './own-server-keys.ts';

export const getServerKeys = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/key/v2/server',
  handler: (ctx, _request, reply) => {
    reply.header('content-type', 'application/json');
    return encodeCanonicalJson(ownServerKeys(ctx));
  },
});
