// Sign-In with Ethereum as a user-interactive auth stage (`org.cairn.login.siwe`), so a user who
// signs in with a wallet, and may have no password, can confirm sensitive actions (deleting
// devices, uploading cross-signing keys, deactivating) by signing a fresh EIP-4361 message. The
// auth dict carries `message` and `signature` as login does.
//
// It is offered as a flow of its own wherever an endpoint asks its user for a password, but only
// to a user with a linked wallet: it proves the requester, so it has nothing to offer a
// registration or a user without wallets.
import { MatrixError } from '../../http/matrix-error.ts';
import { getWalletOwner, listWalletsOfUser } from '../../storage/ethereum-wallets.ts';
import { consumeSiweNonce } from '../../storage/siwe-nonces.ts';
import type { StageDeps, StageResult } from '../uia-stages.ts';
import type { UiaPolicy } from '../user-interactive-auth.ts';
import { checkSiweProof, readSiweProof, type SiweProof } from './siwe-proof.ts';
import { SIWE_LOGIN_TYPE } from './siwe-settings.ts';

export async function checkSiweStage(
  deps: StageDeps,
  auth: Record<string, unknown>,
  requesterId: string | undefined,
): Promise<StageResult> {
  const settings = deps.siwe;
  if (!settings || requesterId === undefined) {
    return failed('M_UNRECOGNIZED', `${SIWE_LOGIN_TYPE} is not offered here`);
  }
  let proof: SiweProof;
  try {
    proof = readSiweProof(auth);
  } catch (error) {
    if (error instanceof MatrixError) return failed(error.errcode, error.message);
    throw error;
  }
  // A failed stage, not a 403: the client may retry with a wallet that is linked.
  if ((await getWalletOwner(deps.db, proof.fields.address)) !== requesterId) {
    return failed('M_FORBIDDEN', 'This wallet is not linked to your account');
  }
  const now = deps.now();
  const refusal = await checkSiweProof({ db: deps.db, settings, now }, proof);
  if (refusal) return failed('M_FORBIDDEN', refusal.reason);
  if (!(await consumeSiweNonce(deps.db, proof.fields.nonce, now))) {
    return failed('M_FORBIDDEN', 'The nonce is unknown, expired or already used');
  }
  return { ok: true, result: { userId: requesterId, address: proof.fields.address } };
}

/** The policy, with a wallet flow beside the password-only flow for a user with a wallet. */
export async function withWalletFlow(
  deps: StageDeps,
  policy: UiaPolicy,
  requesterId: string | undefined,
): Promise<UiaPolicy> {
  if (!deps.siwe || requesterId === undefined) return policy;
  const asksPassword = policy.flows.some(
    (flow) => flow.length === 1 && flow[0] === 'm.login.password',
  );
  const offered = policy.flows.some((flow) => flow.includes(SIWE_LOGIN_TYPE));
  if (!asksPassword || offered) return policy;
  if ((await listWalletsOfUser(deps.db, requesterId)).length === 0) return policy;
  return { ...policy, flows: [...policy.flows, [SIWE_LOGIN_TYPE]] };
}

function failed(errcode: string, message: string): StageResult {
  return { ok: false, errcode, message };
}
