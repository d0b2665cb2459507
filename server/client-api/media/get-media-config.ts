// GET /_matrix/client/v1/media/config
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv1mediaconfig
// GET /_matrix/media/v3/config (deprecated)
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { requireUser } from '../../http/require-user.ts';

const handler = async (ctx: Context, request: Parameters<typeof requireUser>[1]) => {
  await requireUser(ctx, request);
  return { 'm.upload.size': ctx.config.maxUploadBytes };
};

export const mediaConfigEndpoints = [
  defineEndpoint<Context>({ method: 'GET', path: '/_matrix/client/v1/media/config', handler }),
  defineEndpoint<Context>({ method: 'GET', path: '/_matrix/media/v3/config', handler }),
];
