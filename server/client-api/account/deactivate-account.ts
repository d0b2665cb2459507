// POST /_matrix/client/v3/account/deactivate
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3accountdeactivate
import {
  type DeactivateAccountBody,
  deactivateAccountBody,
} from '../../../schemas/requests/account-management.ts';
import { deactivateAccount as deactivate } from '../../accounts/deactivate-account.ts';
import {
  requireUserInteractiveAuth,
  type UiaPolicy,
  uiaDepsOf,
} from '../../accounts/user-interactive-auth.ts';
import type { Context } from '../../context.ts';
import { announceDeviceChange } from '../../e2ee/announce-device-changes.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { leaveAllRooms } from '../../rooms/leave-all-rooms.ts';
import { optionalUser } from './optional-user.ts';

const policy: UiaPolicy = { endpoint: 'POST /account/deactivate', flows: [['m.login.password']] };

export const deactivateAccount = defineEndpoint<Context, DeactivateAccountBody>({
  method: 'POST',
  path: '/_matrix/client/v3/account/deactivate',
  schema: { body: deactivateAccountBody },
  handler: async (ctx, request) => {
    const requester = await optionalUser(ctx, request);
    const { userId } = await requireUserInteractiveAuth(uiaDepsOf(ctx), policy, {
      auth: request.body.auth,
      requesterId: requester?.userId,
    });
    const deviceIds = await deactivate(ctx.db, userId!, { erase: request.body.erase ?? false });
    await announceDeviceChange(ctx, { kind: 'devices', userId: userId!, deviceIds });
    // After the account is closed, so no new session can rejoin in between.
    await leaveAllRooms(ctx, userId!);
    // Accounts here never have third-party identifiers, so there is nothing to unbind, which the
    // spec answers with "success" ("no-support" would mean an unbinding failed).
    return { id_server_unbind_result: 'success' };
  },
});
