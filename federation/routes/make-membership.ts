// GET /_matrix/federation/v1/make_join/{roomId}/{userId}?ver=...
// GET /_matrix/federation/v1/make_leave/{roomId}/{userId}
// GET /_matrix/federation/v1/make_knock/{roomId}/{userId}?ver=...
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1make_joinroomiduserid
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1make_leaveroomiduserid
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1make_knockroomiduserid
// The three differ only in the membership and in whether the room version must be one the
// asking server listed (absent `ver` means version 1 only, as the spec says for make_join).
import { defineEndpoint } from '../../server/http/endpoint.ts';
import type { FederationContext } from '../federation-context.ts';
import { buildMembershipTemplate } from '../rooms/membership-template.ts';
import { federationOriginOf } from '../transport/verify-request.ts';

interface Params {
  roomId: string;
  userId: string;
}
interface Query {
  ver?: string | string[];
}

function makeMembership(membership: 'join' | 'leave' | 'knock', path: string) {
  return defineEndpoint<FederationContext, unknown, Query, Params>({
    method: 'GET',
    path,
    handler: (ctx, request) => {
      const ver = request.query.ver;
      const versions = ver === undefined ? ['1'] : Array.isArray(ver) ? ver : [ver];
      return buildMembershipTemplate(ctx, {
        roomId: request.params.roomId,
        userId: request.params.userId,
        origin: federationOriginOf(request),
        membership,
        ...(membership === 'leave' ? {} : { supportedVersions: versions }),
      });
    },
  });
}

export const makeJoin = makeMembership('join', '/_matrix/federation/v1/make_join/:roomId/:userId');
export const makeLeave = makeMembership(
  'leave',
  '/_matrix/federation/v1/make_leave/:roomId/:userId',
);
export const makeKnock = makeMembership(
  'knock',
  '/_matrix/federation/v1/make_knock/:roomId/:userId',
);
