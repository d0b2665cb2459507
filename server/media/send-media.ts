// Streams stored bytes to the client with the media headers (content-headers.ts), honouring a
// single `Range: bytes=...` request so players can seek in audio and video.
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobStore, ByteRange } from './blob-store/blob-store.ts';
import {
  contentDisposition,
  DEFAULT_CONTENT_TYPE,
  isInlineSafe,
  MEDIA_SECURITY_HEADERS,
} from './content-headers.ts';

export interface MediaToSend {
  readonly cid: string;
  readonly size: number;
  readonly contentType: string | null;
  /** The name in Content-Disposition; null: none. */
  readonly fileName: string | null;
  /** Thumbnails are always inline. */
  readonly forceInline?: boolean;
}

export function sendMedia(
  blobs: BlobStore,
  request: FastifyRequest,
  reply: FastifyReply,
  media: MediaToSend,
): FastifyReply {
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
  return reply.send(Readable.from(blobs.get(media.cid, range ?? undefined)));
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
