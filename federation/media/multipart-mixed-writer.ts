// The multipart/mixed body of GET /_matrix/federation/v1/media/download/{mediaId} and
// GET /_matrix/federation/v1/media/thumbnail/{mediaId}: a JSON metadata part, then either the
// media bytes or a part holding only a `Location` header.
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1mediadownloadmediaid
//
// The framing is chosen for what the other servers' readers accept:
// - Synapse finds the boundary with `split("boundary=")[1]` on the Content-Type, so the boundary
//   is the last parameter and is never quoted: 32 lowercase hex digits, as Synapse's own.
// - Synapse's parser (python-multipart) takes no preamble and no padding after a boundary, needs
//   CRLF everywhere, and asserts that the first header value of the first part is exactly
//   `application/json` (no charset).
// - Synapse copies any header value that follows a `Location` header over the URL, so a Location
//   part carries that one header only.
// - Synapse cannot store media whose part has no Content-Type, so the bytes variant requires one.
// The head (first part and the second part's headers) goes out as one chunk so that no reader
// sees a header line cut by our own writes; the media bytes pass through chunk by chunk.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export type MultipartMediaContent =
  | {
      contentType: string;
      contentDisposition?: string;
      // When known, the body's Content-Length can be given (Synapse checks it against its limit
      // before reading), and the stream is checked to produce exactly this many bytes.
      byteLength?: number;
      bytes: AsyncIterable<Uint8Array>;
    }
  | { location: string };

export interface MultipartMixedResponse {
  // The value for the response's Content-Type header.
  contentType: string;
  // The exact body length, when the media length is known (always for a Location).
  contentLength?: number;
  body: Readable;
}

// RFC 2046 bchars without the space, so the boundary is an HTTP token needing no quotes.
const BOUNDARY_PATTERN = /^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/;
// A header value we put in a part: visible ASCII, space and tab. Anything else could break the
// framing (CR, LF) or be read differently by each server (Synapse decodes these as ASCII).
const HEADER_VALUE_PATTERN = /^[\t\x20-\x7e]+$/;

// 128 random bits: media bytes contain the delimiter only by a chance too small to matter, and
// checking them for it would mean holding the whole file before sending it.
export function newMultipartBoundary(): string {
  return randomBytes(16).toString('hex');
}

export function writeMultipartMixed(
  metadata: Record<string, unknown>,
  content: MultipartMediaContent,
  options: { boundary?: string } = {},
): MultipartMixedResponse {
  const boundary = options.boundary ?? newMultipartBoundary();
  if (!BOUNDARY_PATTERN.test(boundary)) {
    throw new RangeError('multipart boundary must be 1 to 70 RFC 2046 characters, no spaces');
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new TypeError('multipart metadata must be a JSON object');
  }
  const secondHeaders =
    'location' in content
      ? [headerLine('Location', content.location)]
      : [
          headerLine('Content-Type', content.contentType),
          ...(content.contentDisposition === undefined
            ? []
            : [headerLine('Content-Disposition', content.contentDisposition)]),
        ];
  const head = Buffer.from(
    `--${boundary}\r\n` +
      'Content-Type: application/json\r\n' +
      '\r\n' +
      `${JSON.stringify(metadata)}\r\n` +
      `--${boundary}\r\n` +
      secondHeaders.join('') +
      '\r\n',
    'utf8',
  );
  // The CRLF before the closing delimiter belongs to the delimiter, not to the media.
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  const contentType = `multipart/mixed; boundary=${boundary}`;

  if ('location' in content) {
    return {
      contentType,
      contentLength: head.length + tail.length,
      body: Readable.from([head, tail], { objectMode: false }),
    };
  }
  const { byteLength } = content;
  if (byteLength !== undefined && !(Number.isSafeInteger(byteLength) && byteLength >= 0)) {
    throw new RangeError('byteLength must be a non-negative integer');
  }
  return {
    contentType,
    ...(byteLength === undefined ? {} : { contentLength: head.length + byteLength + tail.length }),
    body: Readable.from(streamParts(head, content.bytes, tail, byteLength), { objectMode: false }),
  };
}

async function* streamParts(
  head: Uint8Array,
  bytes: AsyncIterable<Uint8Array>,
  tail: Uint8Array,
  byteLength: number | undefined,
): AsyncGenerator<Uint8Array> {
  yield head;
  let sent = 0;
  for await (const chunk of bytes) {
    sent += chunk.length;
    // Failing here aborts the response before the closing delimiter, so the reader sees a
    // truncated body rather than a media file of the wrong length.
    if (byteLength !== undefined && sent > byteLength) {
      throw new Error(`media stream is longer than its declared ${byteLength} bytes`);
    }
    if (chunk.length > 0) yield chunk;
  }
  if (byteLength !== undefined && sent !== byteLength) {
    throw new Error(`media stream gave ${sent} bytes, not its declared ${byteLength}`);
  }
  yield tail;
}

function headerLine(name: string, value: string): string {
  if (!HEADER_VALUE_PATTERN.test(value) || value.trim() !== value) {
    throw new RangeError(`${name} must be printable ASCII without surrounding spaces`);
  }
  return `${name}: ${value}\r\n`;
}
