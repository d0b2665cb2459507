// The headers media is served with. Uploaded bytes are whatever anyone sent, so a browser must
// never run them as a page of ours: only types that cannot carry script are shown inline, and the
// Content-Security-Policy sandboxes anything opened directly.
// https://spec.matrix.org/latest/client-server-api/#serving-inline-content

/** The spec's list of types that may be served `inline`; everything else is an attachment. */
const INLINE_TYPES = new Set([
  'text/css',
  'text/plain',
  'text/csv',
  'application/json',
  'application/ld+json',
  'image/jpeg',
  'image/gif',
  'image/png',
  'image/apng',
  'image/webp',
  'image/avif',
  'video/mp4',
  'video/webm',
  'video/ogg',
  'video/quicktime',
  'audio/mp4',
  'audio/webm',
  'audio/aac',
  'audio/mpeg',
  'audio/ogg',
  'audio/wave',
  'audio/wav',
  'audio/x-wav',
  'audio/x-pn-wav',
  'audio/flac',
  'audio/x-flac',
]);

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The media type without parameters, lower-cased: `Text/Plain; charset=utf-8` -> `text/plain`. */
export function essenceOf(contentType: string): string {
  return contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

export function isInlineSafe(contentType: string): boolean {
  return INLINE_TYPES.has(essenceOf(contentType));
}

/**
 * A Content-Type as uploaded, or undefined when it is not one (then the default applies): a
 * `type/subtype` token pair, parameters allowed, no control characters, at most 255 characters.
 */
export function acceptedContentType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '' || value.length > 255) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters
  if (/[\u0000-\u001f\u007f]/.test(value)) return undefined;
  return /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(\s*;.*)?$/.test(value) ? value : undefined;
}

/**
 * `inline` or `attachment`, with the file name when there is one: a plain quoted `filename` when
 * it is printable ASCII, otherwise RFC 8187's `filename*=utf-8''...` (as RFC 6266 describes).
 */
export function contentDisposition(
  disposition: 'inline' | 'attachment',
  fileName: string | null | undefined,
): string {
  if (!fileName) return disposition;
  if (/^[\x20-\x7e]*$/.test(fileName) && !/["\\]/.test(fileName)) {
    return `${disposition}; filename="${fileName}"`;
  }
  return `${disposition}; filename*=utf-8''${encodeRfc8187(fileName)}`;
}

function encodeRfc8187(value: string): string {
  // encodeURIComponent leaves !'()* alone; RFC 8187's attr-char does not allow '()*.
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The file name in a Content-Disposition header (remote media), or undefined. */
export function fileNameOfDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*(?:utf-8|UTF-8)''([^;]+)/.exec(header);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      return undefined;
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(header);
  if (quoted?.[1] !== undefined) return quoted[1].replace(/\\(.)/g, '$1');
  const bare = /filename\s*=\s*([^;\s]+)/.exec(header);
  return bare?.[1];
}

/** Headers for every media response beside Content-Type and Content-Disposition. */
export const MEDIA_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';",
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
  // The bytes behind an mxc:// URI never change.
  'cache-control': 'public, max-age=86400, immutable',
};
