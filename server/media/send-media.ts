// Streams stored bytes to the client with the media headers (content-headers.ts), honouring a
// single `Range: bytes=...` request so players can seek in audio and video.
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../http/matrix-error.ts';
import { BlobNotFoundError, type BlobStore, type ByteRange } from './blob-store/blob-store.ts';
import {
  contentDisposition,
  DEFAULT_CONTENT_TYPE,
  isInlineSafe,
  MEDIA_SECURITY_HEADERS,
} from './content-headers.ts';
import { storageUnavailable } from './receive-upload.ts';

export interface MediaToSend {
  readonly cid: string;
  readonly size: number;
  readonly contentType: string | null;
  /** The name in Content-Disposition; null: none. */
  readonly fileName: string | null;
  /** Thumbnails are always inline. */
  readonly forceInline?: boolean;
}

export async function sendMedia(
  blobs: BlobStore,
  request: FastifyRequest,
  reply: FastifyReply,
  media: MediaToSend,
): Promise<FastifyReply> {
  const contentType = media.contentType ?? DEFAULT_CONTENT_TYPE;
  const inline = media.forceInline === true || isInlineSafe(contentType);
  reply.headers({
    ...MEDIA_SECURITY_HEADERS,
    'content-type': contentType,
    'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', media.fileName),
    'accept-ranges': 'bytes',
  });
  const range = parseRange(request.headers.range, media.size);
  if (range === 'unsatisfiable') {
    return reply.status(416).header('content-range', `bytes */${media.size}`).send();
  }
  if (range) {
    const last = range.offset + (range.length ?? media.size - range.offset) - 1;
    reply
      .status(206)
      .header('content-range', `bytes ${range.offset}-${last}/${media.size}`)
      .header('content-length', String(last - range.offset + 1));
  } else {
    reply.header('content-length', String(media.size));
  }
  if (media.size === 0 || request.method === 'HEAD') return reply.send('');
  const bytes = await openBlob(blobs, media.cid, range ?? undefined, request);
  return reply.send(Readable.from(bytes));
}

/**
 * The blob's bytes with the first chunk already read, so that a missing blob or a store that is
 * down is answered with an error status instead of a response cut short after its headers.
 */
export async function openBlob(
  blobs: BlobStore,
  cid: string,
  range: ByteRange | undefined,
  request: Pick<FastifyRequest, 'log'>,
): Promise<AsyncIterable<Uint8Array>> {
  const iterator = blobs.get(cid, range)[Symbol.asyncIterator]();
  let first: IteratorResult<Uint8Array>;
  try {
    first = await iterator.next();
  } catch (err) {
    if (err instanceof BlobNotFoundError) {
      // A row names bytes the store does not have: lost, or collected behind our back.
      request.log.error({ cid }, 'stored media is missing from the blob store');
      throw notFound('The content is missing');
    }
    request.log.error({ err, cid }, 'media could not be read from the blob store');
    throw storageUnavailable();
  }
  return (async function* () {
    try {
      if (first.done) return;
      yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        yield next.value;
      }
    } finally {
      // A reader that stops early (the client went away) releases the file or connection.
      await iterator.return?.();
    }
  })();
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; anything else is served whole. */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    const offset = Math.max(0, size - suffix);
    return { offset, length: size - offset };
  }
  const offset = Number(match[1]);
  if (offset >= size) return 'unsatisfiable';
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (end < offset) return undefined;
  return { offset, length: end - offset + 1 };
}
