// GET /_matrix/client/v3/profile/{userId}
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3profileuserid
import { type UserIdParams, userIdParams } from '../../../schemas/requests/profile.ts';
import { PROFILE_ADDRESS_FIELD } from '../../accounts/siwe/siwe-settings.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { profileAddressOf } from '../siwe/profile-wallet.ts';
import { profileOf } from './profile-owner.ts';

// No access token needed: profiles are public (Synapse's default, too).
export const getProfile = defineEndpoint<Context, unknown, unknown, UserIdParams>({
  method: 'GET',
  path: '/_matrix/client/v3/profile/:userId',
  schema: { params: userIdParams },
  handler: async (ctx, request) => {
    const profile = await profileOf(ctx, request.params.userId);
    // A namespaced custom field (spec: profiles may hold more than the two standard fields).
    const address = await profileAddressOf(ctx, request.params.userId);
    return {
      ...(profile.displayname === null ? {} : { displayname: profile.displayname }),
      ...(profile.avatarUrl === null ? {} : { avatar_url: profile.avatarUrl }),
      ...(address === undefined ? {} : { [PROFILE_ADDRESS_FIELD]: address }),
    };
  },
});
