// A Sign-In with Ethereum proof, as login, the UIA stage and wallet linking receive it: an
// EIP-4361 `message` and the wallet's `signature` of it. Reading it (400 for a malformed one) is
// separate from checking it (a refusal, 403), so callers can rate limit by the address between.
// Checking leaves the nonce usable: the caller uses it up in the transaction that acts on the proof.
import type { Kysely } from 'kysely';
import { badJson, invalidParam } from '../../http/matrix-error.ts';
import type { Database } from '../../storage/schema.ts';
import { isSiweNonceUsable } from '../../storage/siwe-nonces.ts';
import { parseSiweMessage, type SiweFields, siweMessageRejection } from './siwe-message.ts';
import type { SiweSettings } from './siwe-settings.ts';
import { verifyWalletSignature } from './verify-wallet-signature.ts';

/** 65 bytes for an ordinary account; contract wallets may use more (a Safe: 65 per owner). */
const MAX_SIGNATURE_BYTES = 2048;
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})+$/;

export interface SiweProof {
  readonly message: string;
  readonly signature: string;
  readonly fields: SiweFields;
}

export interface SiweRefusal {
  readonly reason: string;
  readonly chainUnavailable?: true;
}

export interface SiweCheckDeps {
  readonly db: Kysely<Database>;
  readonly settings: SiweSettings;
  readonly now: number;
}

/** The proof in a request body (or auth dict); M_BAD_JSON / M_INVALID_PARAM when malformed. */
export function readSiweProof(body: Readonly<Record<string, unknown>>): SiweProof {
  const { message, signature } = body;
  if (message === undefined) throw badJson('Missing field: message');
  if (typeof message !== 'string') throw badJson('message must be a string');
  if (signature === undefined) throw badJson('Missing field: signature');
  if (typeof signature !== 'string') throw badJson('signature must be a string');
  if (signature.length > 2 + 2 * MAX_SIGNATURE_BYTES || !HEX_BYTES.test(signature)) {
    throw invalidParam(`signature must be 0x-prefixed hex of at most ${MAX_SIGNATURE_BYTES} bytes`);
  }
  return { message, signature, fields: parseSiweMessage(message) };
}

/** Why the proof is refused, or undefined when the address signed a message good for now. */
export async function checkSiweProof(
  deps: SiweCheckDeps,
  proof: SiweProof,
): Promise<SiweRefusal | undefined> {
  const { settings, now } = deps;
  const rejection = siweMessageRejection(proof.fields, {
    domain: settings.serverName,
    baseUrl: settings.publicBaseurl,
    chainId: settings.chainId,
    now,
  });
  if (rejection !== undefined) return { reason: rejection };
  // Before the signature: a stale message costs no signature recovery and no chain call.
  if (!(await isSiweNonceUsable(deps.db, proof.fields.nonce, now))) {
    return { reason: 'The nonce is unknown, expired or already used' };
  }
  const verdict = await verifyWalletSignature(
    proof.message,
    proof.signature,
    proof.fields.address,
    settings.chainRpcUrl === undefined
      ? undefined
      : { rpcUrl: settings.chainRpcUrl, chainId: settings.chainId },
  );
  if (verdict.ok) return undefined;
  return verdict.chainUnavailable
    ? { reason: verdict.reason, chainUnavailable: true }
    : { reason: verdict.reason };
}
