// POST /_matrix/client/v3/account/password
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3accountpassword
import {
  type ChangePasswordBody,
  changePasswordBody,
} from '../../../schemas/requests/account-management.ts';
import { changePassword as storeNewPassword } from '../../accounts/change-password.ts';
import {
  requireUserInteractiveAuth,
  type UiaPolicy,
  uiaDepsOf,
} from '../../accounts/user-interactive-auth.ts';
import type { Context } from '../../context.ts';
import { announceDeviceChange } from '../../e2ee/announce-device-changes.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { optionalUser } from './optional-user.ts';

const policy: UiaPolicy = { endpoint: 'POST /account/password', flows: [['m.login.password']] };

export const changePassword = defineEndpoint<Context, ChangePasswordBody>({
  method: 'POST',
  path: '/_matrix/client/v3/account/password',
  schema: { body: changePasswordBody },
  handler: async (ctx, request) => {
    const requester = await optionalUser(ctx, request);
    const body = request.body;
    const { userId } = await requireUserInteractiveAuth(uiaDepsOf(ctx), policy, {
      auth: body.auth,
      requesterId: requester?.userId,
    });
    // The flow ends with m.login.password, which always establishes the user.
    const deviceIds = await storeNewPassword(ctx.db, userId!, body.new_password, {
      logoutDevices: body.logout_devices ?? true,
      // The requesting session survives its own password change (spec: SHOULD NOT revoke it).
      keepDeviceId: requester?.deviceId,
    });
    await announceDeviceChange(ctx, { kind: 'devices', userId: userId!, deviceIds });
    return {};
  },
});
