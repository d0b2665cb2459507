// GET /_matrix/client/versions
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientversions
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { CLIENT_SPEC_VERSIONS, UNSTABLE_FEATURES } from './spec-versions.ts';

export const getVersions = defineEndpoint<Context>({
  method: 'GET',
  path: '/_matrix/client/versions',
  handler: () => ({ versions: CLIENT_SPEC_VERSIONS, unstable_features: UNSTABLE_FEATURES }),
});
