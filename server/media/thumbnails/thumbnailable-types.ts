// Which uploads Cairn thumbnails and what type each thumbnail is. Pure: no I/O, no sharp.
// https://spec.matrix.org/latest/client-server-api/#thumbnails
//
// The inputs are a deliberately short list: every decoder that sees untrusted bytes is attack
// surface, so the bytes are sniffed here and only these formats ever reach libvips. sharp 0.35's
// prebuilt libvips also reads TIFF, SVG and the vips format; those are refused (SVG would run
// librsvg on user XML). Its libheif has only the AV1 decoder, so AVIF is read and HEIC is not.
// APNG is read as its first frame (libvips has no APNG animation), so it thumbnails as a still.

/** The decoders Cairn lets sharp use; the names are sharp's `metadata().format` values. */
export type ThumbnailableFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'heif';

/** The spec limits thumbnail Content-Type to jpeg/png/apng/gif/webp; Cairn emits three. */
export type ThumbnailContentType = 'image/jpeg' | 'image/png' | 'image/webp';

interface FormatRule {
  /** The type of a still thumbnail. Sources that can carry alpha get PNG so it survives. */
  readonly still: ThumbnailContentType;
  /** Whether the format can hold several frames that sharp decodes as an animation. */
  readonly animates: boolean;
}

const RULES: Readonly<Record<ThumbnailableFormat, FormatRule>> = {
  jpeg: { still: 'image/jpeg', animates: false },
  png: { still: 'image/png', animates: false },
  gif: { still: 'image/png', animates: true },
  webp: { still: 'image/png', animates: true },
  heif: { still: 'image/png', animates: false },
};

/**
 * Declared content types that are worth trying, so the endpoint can refuse a PDF or a video
 * before fetching its blob. The declared type is the uploader's claim: the bytes are sniffed
 * again before decoding, and that verdict wins.
 */
const CONTENT_TYPES: Readonly<Record<string, ThumbnailableFormat>> = {
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/png': 'png',
  'image/apng': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'heif',
};

/** `image/PNG; charset=x` -> the format, or undefined when Cairn does not thumbnail the type. */
export function formatForContentType(
  contentType: string | undefined,
): ThumbnailableFormat | undefined {
  if (contentType === undefined) return undefined;
  const essence = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return Object.hasOwn(CONTENT_TYPES, essence) ? CONTENT_TYPES[essence] : undefined;
}

export function isThumbnailableContentType(contentType: string | undefined): boolean {
  return formatForContentType(contentType) !== undefined;
}

/**
 * The thumbnail's type. Animation is kept only when asked for and the source really has several
 * frames; it is always WebP, which the spec says servers should prefer for animated thumbnails
 * (and which, unlike GIF, keeps full colour and 8-bit alpha).
 */
export function thumbnailContentType(
  format: ThumbnailableFormat,
  options: { animated: boolean; frames: number },
): { contentType: ThumbnailContentType; animated: boolean } {
  const rule = RULES[format];
  if (options.animated && rule.animates && options.frames > 1) {
    return { contentType: 'image/webp', animated: true };
  }
  return { contentType: rule.still, animated: false };
}

/** How many leading bytes `sniffImageFormat` needs to decide. */
export const SNIFF_BYTES = 64;

/**
 * The format from the magic bytes, or undefined for anything Cairn will not decode. AVIF is an
 * ISO-BMFF file whose `ftyp` box names `avif` (still) or `avis` (sequence) among its brands;
 * HEIC uses the same container with other brands and is refused here.
 */
export function sniffImageFormat(head: Uint8Array): ThumbnailableFormat | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (head.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (head.length >= 16 && ascii(4, 8) === 'ftyp') {
    const boxSize = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
    const end = Math.min(boxSize, head.length);
    // Major brand at 8, minor version at 12, compatible brands from 16.
    for (let at = 8; at + 4 <= end; at += at === 8 ? 8 : 4) {
      const brand = ascii(at, at + 4);
      if (brand === 'avif' || brand === 'avis') return 'heif';
    }
  }
  return undefined;
}

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((byte, i) => head[i] === byte);
}
