// Takes an upload's bytes into the blob store as they arrive, never holding the whole file:
// refused before reading when the declared length is over the limit, cut off as soon as the
// bytes pass it. Either way nothing is stored and the client gets 413 M_TOO_LARGE.
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context.ts';
import { MatrixError } from '../http/matrix-error.ts';
import { BlobTooLargeError, type StoredBlob } from './blob-store/blob-store.ts';
import { acceptedContentType, DEFAULT_CONTENT_TYPE } from './content-headers.ts';

export function uploadTooLarge(maxBytes: number): MatrixError {
  return new MatrixError(413, 'M_TOO_LARGE', `Uploads are limited to ${maxBytes} bytes`);
}

export function storageUnavailable(): MatrixError {
  return new MatrixError(503, 'M_UNKNOWN', 'Media storage is unavailable; try again later');
}

export interface ReceivedUpload extends StoredBlob {
  /** null: none or not a media type; served as application/octet-stream. */
  readonly contentType: string | null;
  readonly uploadName: string | null;
}

export async function receiveUpload(
  ctx: Context,
  request: FastifyRequest<{ Querystring: { filename?: string } }>,
): Promise<ReceivedUpload> {
  const maxBytes = ctx.config.maxUploadBytes;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw uploadTooLarge(maxBytes);
  const body = request.body as AsyncIterable<Uint8Array> | undefined;
  let blob: StoredBlob;
  try {
    blob = await ctx.media.blobs.put(body ?? emptyBody(), { maxBytes });
  } catch (err) {
    if (err instanceof BlobTooLargeError) throw uploadTooLarge(maxBytes);
    // A client that went away gets no answer; anything else is the store failing (Kubo down,
    // disk full): nothing was stored, and the client may try again.
    if (request.raw.destroyed || request.raw.readableAborted) throw err;
    request.log.error({ err }, 'media upload could not be stored');
    throw storageUnavailable();
  }
  const fileName = request.query.filename;
  return {
    ...blob,
    contentType: storedContentType(request.headers['content-type']),
    uploadName: fileName !== undefined && fileName !== '' ? fileName : null,
  };
}

/** null for none or the default: served as application/octet-stream either way. */
function storedContentType(header: string | undefined): string | null {
  const type = acceptedContentType(header);
  return type === undefined || type === DEFAULT_CONTENT_TYPE ? null : type;
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}
