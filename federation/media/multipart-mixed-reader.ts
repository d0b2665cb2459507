// Reads the multipart/mixed body of a remote server's answer to
// GET /_matrix/federation/v1/media/download/{mediaId} or .../media/thumbnail/{mediaId}.
// https://spec.matrix.org/latest/server-server-api/#get_matrixfederationv1mediadownloadmediaid
//
// The body is parsed as it arrives: the preamble, the header blocks and the metadata part are
// small and bounded, and the media part streams out to the caller holding back at most a
// delimiter's length (plus a little padding) between chunks, so a file of any size never sits in
// memory.
//
// Strict where it matters (CRLF line ends, a closing delimiter, exactly two parts, JSON metadata)
// and lenient where known senders differ: Synapse opens its body with a CRLF before the first
// boundary; ruma-based servers (continuwuity, tuwunel, grapevine) write lowercase header names,
// may omit the JSON part's headers, and end with "--boundary--" and no CRLF; ruma's unreleased main
// branch ends with "\r\n--boundary" and no "--" (accepted: the media before it is whole). No known
// sender uses bare LF line ends, so they are refused. Any error closes the body (the undici stream
// is destroyed), and a body that ends early is an error, so nothing waits forever.

import {
  essence,
  MultipartError,
  MultipartTooLargeError,
  parseHeaderLines,
  parseParameters,
} from './multipart-headers.ts';

export { MultipartError, MultipartTooLargeError };

export interface MultipartReadOptions {
  maxBytes: number;
  // The JSON metadata part; 64 KiB by default.
  maxMetadataBytes?: number;
  // Each header block, the preamble, a Location part's body and the epilogue; 64 KiB by default.
  maxHeaderBytes?: number;
}

export interface MultipartMediaPart {
  // Lower-cased header names. With no content-type, the caller chooses a default.
  headers: Record<string, string>;
  // Can be iterated once. Leaving the loop early closes the response body.
  body: AsyncIterable<Uint8Array>;
  // Closes the response body without reading the media, when `body` will not be iterated.
  discard(): Promise<void>;
}

export type MultipartMixedResult =
  | { metadata: Record<string, unknown>; part: MultipartMediaPart }
  | { metadata: Record<string, unknown>; location: string };

const DEFAULT_SMALL_LIMIT = 64 * 1024;
const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const SP = 0x20;
const HT = 0x09;
// RFC 2046 lets transports pad a boundary line with whitespace; more than this is not a boundary.
const MAX_PADDING = 32;
const EMPTY = Buffer.alloc(0);
// RFC 2046 bchars, 1 to 70 of them, not ending in a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

export async function readMultipartMixed(
  contentType: string | undefined,
  body: AsyncIterable<Uint8Array>,
  options: MultipartReadOptions,
): Promise<MultipartMixedResult> {
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_SMALL_LIMIT;
  const maxMetadataBytes = options.maxMetadataBytes ?? DEFAULT_SMALL_LIMIT;
  for (const limit of [options.maxBytes, maxHeaderBytes, maxMetadataBytes]) {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError('limits must be integers');
  }
  const source = new ByteSource(body);
  try {
    const scanner = new PartScanner(source, parseMultipartBoundary(contentType));

    const preamble = await collect(scanner.partData(), maxHeaderBytes + 2, 'preamble');
    if (preamble.after === 'close') throw new MultipartError('multipart body has no parts');

    const metadataHeaders = await scanner.readHeaders(maxHeaderBytes);
    const metadataType = metadataHeaders['content-type'];
    if (metadataType !== undefined && essence(metadataType) !== 'application/json') {
      throw new MultipartError(`metadata part has Content-Type ${metadataType}, not JSON`);
    }
    const metadataPart = await collect(scanner.partData(), maxMetadataBytes, 'metadata part');
    const metadata = parseMetadata(metadataPart.bytes);
    if (metadataPart.after === 'close') throw new MultipartError('the media part is missing');

    const headers = await scanner.readHeaders(maxHeaderBytes);
    const location = headers.location;
    if (location === undefined) {
      return { metadata, part: mediaPart(scanner, headers, options.maxBytes, maxHeaderBytes) };
    }
    if (!URL.canParse(location)) throw new MultipartError('Location is not an absolute URL');
    // Whatever the Location part holds besides its header is of no use; it only has to end.
    const rest = await collect(scanner.partData(), maxHeaderBytes, 'Location part');
    if (rest.after === 'next') throw new MultipartError('multipart body has more than two parts');
    await scanner.finish(maxHeaderBytes);
    return { metadata, location };
  } catch (error) {
    await source.close();
    throw error;
  }
}

// The boundary parameter of a `multipart/mixed` Content-Type, quoted or not.
export function parseMultipartBoundary(contentType: string | undefined): string {
  if (contentType === undefined) throw new MultipartError('response has no Content-Type');
  const semicolon = contentType.indexOf(';');
  const type = semicolon === -1 ? contentType : contentType.slice(0, semicolon);
  if (essence(type) !== 'multipart/mixed') {
    throw new MultipartError(`response Content-Type is ${type.trim()}, not multipart/mixed`);
  }
  const boundary = parseParameters(contentType.slice(type.length)).get('boundary');
  if (boundary === undefined) throw new MultipartError('Content-Type has no boundary');
  if (!BOUNDARY.test(boundary)) throw new MultipartError('Content-Type boundary is not valid');
  return boundary;
}

function mediaPart(
  scanner: PartScanner,
  headers: Record<string, string>,
  maxBytes: number,
  maxEpilogueBytes: number,
): MultipartMediaPart {
  let claimed = false;
  async function* stream(): AsyncGenerator<Uint8Array> {
    try {
      const data = scanner.partData();
      let size = 0;
      for (;;) {
        const step = await data.next();
        if (step.done) {
          if (step.value === 'next') throw new MultipartError('body has more than two parts');
          break;
        }
        size += step.value.length;
        if (size > maxBytes) {
          throw new MultipartTooLargeError(`media is over the ${maxBytes} byte limit`);
        }
        yield step.value;
      }
      await scanner.finish(maxEpilogueBytes);
    } finally {
      await scanner.close();
    }
  }
  return {
    headers,
    body: {
      [Symbol.asyncIterator]() {
        if (claimed) throw new Error('the media part body can be read only once');
        claimed = true;
        return stream();
      },
    },
    async discard() {
      if (claimed) return;
      claimed = true;
      await scanner.close();
    },
  };
}

type After = 'next' | 'close';

// Finds the parts in the body. `buf` holds the bytes pulled from the source and not yet handed
// on; in a part's data it is at most one incoming chunk plus an undecided delimiter candidate.
class PartScanner {
  private buf: Buffer;
  private readonly delimiter: Buffer;
  private readonly source: ByteSource;

  constructor(source: ByteSource, boundary: string) {
    this.source = source;
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    // A body may open with the boundary line: a CRLF in front lets one search find either that or
    // the delimiter ending a preamble (Synapse sends a CRLF before its first boundary).
    this.buf = Buffer.from('\r\n', 'latin1');
  }

  // Yields the current part's bytes up to the next delimiter, then says whether a part follows.
  async *partData(): AsyncGenerator<Buffer, After> {
    const delimiter = this.delimiter;
    for (;;) {
      const buf = this.buf;
      const at = buf.indexOf(delimiter);
      if (at === -1) {
        const keep = partialDelimiterLength(buf, delimiter);
        this.buf = buf.subarray(buf.length - keep);
        if (buf.length > keep) yield buf.subarray(0, buf.length - keep);
        if (!(await this.pull())) throw new MultipartError('body ends with no closing boundary');
        continue;
      }
      const kind = delimiterKind(buf, at + delimiter.length);
      if (kind === 'more') {
        this.buf = buf.subarray(at);
        if (at > 0) yield buf.subarray(0, at);
        if (await this.pull()) continue;
        if (this.buf.subarray(delimiter.length).every((byte) => byte === SP || byte === HT)) {
          this.buf = EMPTY;
          return 'close';
        }
        throw new MultipartError('body ends inside a boundary line');
      }
      if (kind === 'data') {
        // "\r\n--boundary" followed by something else is content; no delimiter starts inside it
        // as a boundary holds no CR.
        this.buf = buf.subarray(at + 1);
        yield buf.subarray(0, at + 1);
        continue;
      }
      this.buf = buf.subarray(kind.end);
      if (at > 0) yield buf.subarray(0, at);
      return kind.after;
    }
  }

  async readHeaders(limit: number): Promise<Record<string, string>> {
    const lines: string[] = [];
    let used = 0;
    for (;;) {
      const lf = this.buf.indexOf(LF);
      if (lf === -1) {
        if (used + this.buf.length > limit) throw new MultipartError('part headers are too long');
        if (!(await this.pull())) throw new MultipartError('body ends inside part headers');
        continue;
      }
      used += lf + 1;
      if (used > limit) throw new MultipartError('part headers are too long');
      if (this.buf[lf - 1] !== CR) throw new MultipartError('header line ends in bare LF');
      const line = this.buf.subarray(0, lf - 1);
      this.buf = this.buf.subarray(lf + 1);
      if (line.length === 0) return parseHeaderLines(lines);
      if (line.includes(CR)) throw new MultipartError('header line holds a bare CR');
      lines.push(line.toString('utf8'));
    }
  }

  // After the closing delimiter: reads and drops a short epilogue, so the connection can be
  // reused, then releases the source.
  async finish(limit: number): Promise<void> {
    let seen = this.buf.length;
    this.buf = EMPTY;
    while (seen <= limit && (await this.pull())) {
      seen += this.buf.length;
      this.buf = EMPTY;
    }
    await this.source.close();
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private async pull(): Promise<boolean> {
    const chunk = await this.source.next();
    if (chunk === undefined) return false;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }
}

// What follows a "\r\n--boundary" match at `from`: "--" closes, padding and CRLF opens the next
// part, anything else makes it content; 'more' means the bytes so far cannot tell.
function delimiterKind(buf: Buffer, from: number): 'more' | 'data' | { after: After; end: number } {
  if (from >= buf.length) return 'more';
  if (buf[from] === DASH) {
    if (from + 1 >= buf.length) return 'more';
    return buf[from + 1] === DASH ? { after: 'close', end: from + 2 } : 'data';
  }
  let at = from;
  while (at < buf.length && (buf[at] === SP || buf[at] === HT)) {
    at += 1;
    if (at - from > MAX_PADDING) return 'data';
  }
  if (at >= buf.length) return 'more';
  if (buf[at] !== CR) return 'data';
  if (at + 1 >= buf.length) return 'more';
  return buf[at + 1] === LF ? { after: 'next', end: at + 2 } : 'data';
}

// How many bytes at the end of `buf` could begin a delimiter completed by the next chunk. Only a
// CR can start one and a delimiter holds one CR, so the last CR is the only candidate.
function partialDelimiterLength(buf: Buffer, delimiter: Buffer): number {
  const cr = buf.lastIndexOf(CR);
  if (cr === -1 || buf.length - cr >= delimiter.length) return 0;
  const tail = buf.subarray(cr);
  return tail.equals(delimiter.subarray(0, tail.length)) ? tail.length : 0;
}

function parseMetadata(bytes: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new MultipartError('metadata part is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MultipartError('metadata part is not a JSON object');
  }
  return value as Record<string, unknown>;
}

async function collect(
  data: AsyncGenerator<Buffer, After>,
  limit: number,
  what: string,
): Promise<{ bytes: Buffer; after: After }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const step = await data.next();
    if (step.done) return { bytes: Buffer.concat(chunks), after: step.value };
    size += step.value.length;
    if (size > limit) throw new MultipartError(`${what} is over ${limit} bytes`);
    chunks.push(step.value);
  }
}

// The response body, pulled one chunk at a time; close() destroys an undici body stream.
class ByteSource {
  private readonly iterator: AsyncIterator<unknown>;
  private done = false;

  constructor(body: AsyncIterable<Uint8Array>) {
    this.iterator = body[Symbol.asyncIterator]();
  }

  async next(): Promise<Buffer | undefined> {
    while (!this.done) {
      const step = await this.iterator.next();
      if (step.done) {
        this.done = true;
        return undefined;
      }
      const chunk = step.value;
      if (!(chunk instanceof Uint8Array)) throw new TypeError('body chunks must be bytes');
      if (chunk.length > 0) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    return undefined;
  }

  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.iterator.return?.();
    } catch {
      // The stream failing as it is torn down changes nothing for the caller.
    }
  }
}
