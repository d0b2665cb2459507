// Renders one thumbnail with sharp (libvips). The endpoint maps the two error classes:
//   NotThumbnailableError -> 400 M_UNKNOWN "Cannot generate thumbnails for the requested content"
//   ThumbnailTooLargeError -> 413 M_TOO_LARGE (local media) or 502 M_TOO_LARGE (remote media)
// https://spec.matrix.org/latest/client-server-api/#thumbnails
//
// Untrusted bytes meet a C decoder here, so: only sniffed, allow-listed formats are decoded; the
// pixel count is checked from the header before any pixel is decoded (a 100 KB PNG can claim
// 50000x50000); sharp's own limitInputPixels stays on as a backstop and also counts every frame
// of an animation; and a timeout caps the work. Output never carries the source's metadata
// (EXIF, GPS, XMP, ICC), because sharp drops it unless asked to keep it.

import { open } from 'node:fs/promises';
import type { Sharp } from 'sharp';
import type { ThumbnailMethod } from './thumbnail-sizes.ts';
import {
  SNIFF_BYTES,
  sniffImageFormat,
  type ThumbnailableFormat,
  type ThumbnailContentType,
  thumbnailContentType,
} from './thumbnailable-types.ts';

/** Bytes in memory, a local file path (lets libvips read it without loading it whole), or a stream. */
export type ThumbnailSource = Uint8Array | string | AsyncIterable<Uint8Array>;

export interface RenderThumbnailOptions {
  readonly width: number;
  readonly height: number;
  readonly method: ThumbnailMethod;
  /** Keep animation when the source has it (output is then animated WebP). */
  readonly animated?: boolean;
  /** Pixels of one frame, checked before decoding. Default 32 Mi, Synapse's default too. */
  readonly maxPixels?: number;
  /** Bytes collected from a streamed source (a Buffer or a path is not copied). */
  readonly maxInputBytes?: number;
  /** Wall-clock cap on libvips' work, in whole seconds. */
  readonly timeoutSeconds?: number;
}

export interface RenderedThumbnail {
  readonly bytes: Buffer;
  readonly contentType: ThumbnailContentType;
  /** Of one frame, after EXIF rotation. */
  readonly width: number;
  readonly height: number;
  readonly animated: boolean;
}

export const DEFAULT_MAX_PIXELS = 32 * 1024 * 1024;
export const DEFAULT_MAX_INPUT_BYTES = 64 * 1024 * 1024;
export const DEFAULT_TIMEOUT_SECONDS = 20;

/** The bytes are not an image Cairn decodes (or not an image at all, or a broken one). */
export class NotThumbnailableError extends Error {
  override name = 'NotThumbnailableError';
}

/** The image is too big to thumbnail safely: too many pixels, too many bytes, or too slow. */
export class ThumbnailTooLargeError extends Error {
  override name = 'ThumbnailTooLargeError';
}

// sharp (libvips) is loaded by the first thumbnail: ~24 MB of an idle server's memory otherwise
// (bench workload 6).
let sharpModule: Promise<typeof import('sharp').default> | undefined;
const loadSharp = () => {
  sharpModule ??= import('sharp').then((module) => module.default);
  return sharpModule;
};

export async function renderThumbnail(
  source: ThumbnailSource,
  options: RenderThumbnailOptions,
): Promise<RenderedThumbnail> {
  const { width, height, method } = options;
  if (!isPositiveInteger(width) || !isPositiveInteger(height)) {
    throw new RangeError(`Thumbnail box must be positive integers, got ${width}x${height}`);
  }
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const sharp = await loadSharp();
  const input = await materialize(source, options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES);

  const format = sniffImageFormat(await head(input));
  if (format === undefined) {
    throw new NotThumbnailableError('Content is not an image format Cairn thumbnails');
  }

  // Header only: no pixel is decoded yet. Without `pages`, height is one frame's height.
  const meta = await classifyErrors(() => sharp(input, { limitInputPixels: false }).metadata());
  checkDecoder(format, meta.format, meta.compression);
  const frameWidth = meta.width;
  const frameHeight = meta.height;
  if (!isPositiveInteger(frameWidth) || !isPositiveInteger(frameHeight)) {
    throw new NotThumbnailableError('Image has no dimensions');
  }
  if (frameWidth * frameHeight > maxPixels) {
    throw new ThumbnailTooLargeError(
      `Image has ${frameWidth}x${frameHeight} pixels, over the limit of ${maxPixels}`,
    );
  }

  const frames = meta.pages ?? 1;
  const orientation = meta.orientation ?? 1;
  // An animation too big to decode whole still gets a still thumbnail of its first frame; so
  // does a rotated one, since libvips rotates an animation as one tall strip of frames.
  const mayAnimate =
    options.animated === true &&
    orientation === 1 &&
    frameWidth * frameHeight * frames <= maxPixels;
  const output = thumbnailContentType(format, { animated: mayAnimate, frames });

  // Orientations 5-8 turn the image a quarter, swapping what the viewer sees as width and height.
  const turned = !output.animated && orientation >= 5;
  const shown = turned
    ? { width: frameHeight, height: frameWidth }
    : { width: frameWidth, height: frameHeight };

  const { data, info } = await classifyErrors(() => {
    let pipeline = sharp(input, {
      animated: output.animated,
      // For an animation libvips counts the pixels of every frame against this.
      limitInputPixels: maxPixels,
      // Camera JPEGs with harmless warnings (stray bytes before a marker) still thumbnail.
      failOn: 'error',
    }).timeout({ seconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS });
    if (!output.animated) pipeline = pipeline.autoOrient();
    pipeline = resize(pipeline, method, shown, { width, height });
    return encode(pipeline, output.contentType).toBuffer({ resolveWithObject: true });
  });

  return {
    bytes: data,
    contentType: output.contentType,
    width: info.width,
    // Animated output is one tall strip of frames; pageHeight is one frame's.
    height: output.animated ? (info.pageHeight ?? info.height) : info.height,
    animated: output.animated,
  };
}

/**
 * The size of a `crop` thumbnail: the box itself when the image covers it, else the largest
 * centred region with the box's aspect ratio that the image holds. The spec forbids upscaling
 * under any circumstance; Synapse does upscale small images to fill the box, Cairn does not.
 */
export function cropDimensions(
  image: { width: number; height: number },
  box: { width: number; height: number },
): { width: number; height: number } {
  const cover = Math.max(box.width / image.width, box.height / image.height);
  if (cover <= 1) return { width: box.width, height: box.height };
  const fit = Math.min(image.width / box.width, image.height / box.height);
  return {
    width: Math.max(1, Math.min(image.width, Math.round(box.width * fit))),
    height: Math.max(1, Math.min(image.height, Math.round(box.height * fit))),
  };
}

function resize(
  pipeline: Sharp,
  method: ThumbnailMethod,
  image: { width: number; height: number },
  box: { width: number; height: number },
): Sharp {
  if (method === 'scale') {
    return pipeline.resize(box.width, box.height, { fit: 'inside', withoutEnlargement: true });
  }
  const size = cropDimensions(image, box);
  return pipeline.resize(size.width, size.height, { fit: 'cover', position: 'centre' });
}

function encode(pipeline: Sharp, contentType: ThumbnailContentType): Sharp {
  switch (contentType) {
    case 'image/jpeg':
      return pipeline.jpeg({ quality: 80 });
    case 'image/png':
      return pipeline.png({ compressionLevel: 6 });
    case 'image/webp':
      return pipeline.webp({ quality: 75 });
  }
}

/** libvips must agree with the sniffed format, and HEIF must be AVIF (no HEVC decoder here). */
function checkDecoder(
  sniffed: ThumbnailableFormat,
  decoded: string | undefined,
  compression: string | undefined,
): void {
  if (decoded !== sniffed || (sniffed === 'heif' && compression !== 'av1')) {
    throw new NotThumbnailableError(`Content sniffed as ${sniffed} decodes as ${decoded}`);
  }
}

/** sharp's errors are plain Errors; sort them into the two classes the endpoint maps. */
async function classifyErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotThumbnailableError || error instanceof ThumbnailTooLargeError) {
      throw error;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (message.includes('exceeds pixel limit')) {
      throw new ThumbnailTooLargeError(message, { cause: error });
    }
    if (message.startsWith('timeout')) {
      throw new ThumbnailTooLargeError(`Thumbnailing took too long (${message})`, { cause: error });
    }
    // A missing local file is the caller's fault, not the content's: let it surface as a 500.
    if (message.startsWith('Input file is missing')) throw error;
    throw new NotThumbnailableError(`Cannot decode image: ${message}`, { cause: error });
  }
}

/** A path or bytes for sharp; a stream is collected, up to maxBytes. */
async function materialize(source: ThumbnailSource, maxBytes: number): Promise<string | Buffer> {
  if (typeof source === 'string') return source;
  if (source instanceof Uint8Array) {
    return Buffer.isBuffer(source)
      ? source
      : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.byteLength;
    // Throwing inside for-await returns the iterator, so a blob-store stream is closed.
    if (total > maxBytes) {
      throw new ThumbnailTooLargeError(`Content is over ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

async function head(input: string | Buffer): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.subarray(0, SNIFF_BYTES);
  const file = await open(input, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
