// The address GET /profile/{userId} shows in `org.cairn.ethereum_address`: a local user's first
// linked wallet, EIP-55 checksummed. Remote users' profiles come from their servers as they are.
import { getAddress } from 'ethers';
import type { Context } from '../../context.ts';
import { listWalletsOfUser } from '../../storage/ethereum-wallets.ts';
import { serverNameOfUser } from '../../storage/room-servers.ts';

export async function profileAddressOf(ctx: Context, userId: string): Promise<string | undefined> {
  if (serverNameOfUser(userId) !== ctx.config.serverName) return undefined;
  const [first] = await listWalletsOfUser(ctx.db, userId);
  return first && getAddress(first.address);
}
