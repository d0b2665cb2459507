// What the notary endpoints answer for one server: our own keys as we publish them, or the
// server's latest self-signed response (fetched again if it expires before
// `minimumValidUntilTs`), countersigned by us as the spec asks of a notary.
// https://spec.matrix.org/latest/server-server-api/#querying-keys-through-another-server
import type { JsonObject } from '../../server/core/pdu.ts';
import { signJson } from '../../server/core/signing.ts';
import type { FederationContext } from '../federation-context.ts';
import { ownServerKeys } from './own-server-keys.ts';

export async function notaryResponses(
  ctx: FederationContext,
  serverName: string,
  minimumValidUntilTs: number,
): Promise<JsonObject[]> {
  const { config, signingKey } = ctx;
  if (serverName === config.serverName) return [ownServerKeys(ctx)];
  const responses = await ctx.serverKeys.getKeyResponses(serverName, minimumValidUntilTs);
  return responses.map((response) =>
    signJson(response, config.serverName, signingKey.keyId, signingKey.privateKey),
  );
}
