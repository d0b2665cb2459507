// The media endpoints. Uploads take the raw request stream (no JSON parsing, no body limit but
// max_upload_size), so they are registered in their own scope with their own body parser.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { type Endpoint, registerEndpoints } from '../../http/endpoint.ts';
import { acceptedContentType, DEFAULT_CONTENT_TYPE } from '../../media/content-headers.ts';
import { createMedia } from './create-media.ts';
import { downloadMediaEndpoints } from './download-media.ts';
import { mediaConfigEndpoints } from './get-media-config.ts';
import { thumbnailEndpoints } from './get-thumbnail.ts';
import { uploadMedia } from './upload-media.ts';
import { uploadPendingMedia } from './upload-pending-media.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const mediaEndpoints: readonly Endpoint<Context, any, any, any>[] = [
  createMedia,
  ...downloadMediaEndpoints,
  ...mediaConfigEndpoints,
  ...thumbnailEndpoints,
];

export function registerMediaUploads(app: FastifyInstance, ctx: Context): void {
  app.register(async (scope) => {
    // Any Content-Type is a file's; one that is not a media type (fastify would refuse it with
    // 415 before the body parser) is stored as application/octet-stream, as none at all is.
    scope.addHook('onRequest', async (request) => {
      const type = request.headers['content-type'];
      if (type !== undefined && acceptedContentType(type) === undefined) {
        request.headers['content-type'] = DEFAULT_CONTENT_TYPE;
      }
    });
    scope.removeAllContentTypeParsers();
    // The body stays the unread request stream; receive-upload.ts reads it.
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    registerEndpoints(scope, ctx, [uploadMedia, uploadPendingMedia]);
  });
}
