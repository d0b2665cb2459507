// What Sign-In with Ethereum needs from the configuration, in one place, so the pure checks, the
// UIA stage and the endpoints read the same values. Undefined when siwe_enabled is off.
import type { Config } from '../../config/load-config.ts';

/** The login type, and the UIA stage of the same name (namespaced: not in the Matrix spec). */
export const SIWE_LOGIN_TYPE = 'org.cairn.login.siwe';

/** The profile field (GET /profile/{userId}) showing a user's linked address, checksummed. */
export const PROFILE_ADDRESS_FIELD = 'org.cairn.ethereum_address';

export interface SiweSettings {
  /** The domain every message must name. */
  readonly serverName: string;
  /** A message's URI must be on this URL's origin. */
  readonly publicBaseurl: string;
  readonly chainId: number;
  readonly nonceLifetimeMs: number;
  /** Contract wallets (EIP-1271) are checked here when set. */
  readonly chainRpcUrl: string | undefined;
  /** A first sign-in of an unlinked address creates an account. */
  readonly register: boolean;
  readonly localpartTemplate: string;
}

export function siweSettingsOf(config: Config): SiweSettings | undefined {
  if (!config.siweEnabled) return undefined;
  return {
    serverName: config.serverName,
    publicBaseurl: config.publicBaseurl,
    chainId: config.siweChainId,
    nonceLifetimeMs: config.siweNonceLifetimeMs,
    chainRpcUrl: config.chainRpcUrl,
    register: config.siweRegister,
    localpartTemplate: config.siweLocalpartTemplate,
  };
}

/**
 * The localpart an account created for `address` gets. Matrix localparts are lower-case, so the
 * address goes in as lower-case hex without 0x (the checksum case carries no information beyond
 * the address itself). The template is checked at load to hold `{address}` once.
 */
export function localpartOfAddress(template: string, address: string): string {
  return template.replace('{address}', address.toLowerCase().replace(/^0x/, ''));
}
