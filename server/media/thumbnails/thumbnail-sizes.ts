// Which thumbnails Cairn makes, which one answers a request, and the checking of the request's
// query parameters. Pure: no I/O, no sharp.
// https://spec.matrix.org/latest/client-server-api/#thumbnails
// GET /_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}

export type ThumbnailMethod = 'crop' | 'scale';

export interface ThumbnailSize {
  readonly width: number;
  readonly height: number;
  readonly method: ThumbnailMethod;
}

/**
 * The spec's recommended set, smallest first within each method. Generating a fixed set (rather
 * than whatever size each client asks for) bounds the number of thumbnails stored per upload.
 */
export const THUMBNAIL_SIZES: readonly ThumbnailSize[] = Object.freeze([
  { width: 32, height: 32, method: 'crop' },
  { width: 96, height: 96, method: 'crop' },
  { width: 320, height: 240, method: 'scale' },
  { width: 640, height: 480, method: 'scale' },
  { width: 800, height: 600, method: 'scale' },
]);

/**
 * The generated size that serves a request: the smallest of the requested method that is at
 * least as wide AND as tall as asked (the spec forbids answering smaller than requested when a
 * larger one exists), else the largest of that method.
 *
 * Synapse differs slightly: it accepts a candidate when EITHER dimension reaches the request and
 * then ranks by how close both are, so `scale` 400x100 gets 320x240 there and 640x480 here.
 */
export function chooseThumbnailSize(
  requested: { width: number; height: number; method: ThumbnailMethod },
  sizes: readonly ThumbnailSize[] = THUMBNAIL_SIZES,
): ThumbnailSize {
  const candidates = sizes
    .filter((size) => size.method === requested.method)
    .sort((a, b) => a.width * a.height - b.width * b.height);
  const largest = candidates.at(-1);
  if (largest === undefined) {
    throw new Error(`No thumbnail sizes are configured for method ${requested.method}`);
  }
  return (
    candidates.find((size) => size.width >= requested.width && size.height >= requested.height) ??
    largest
  );
}

export interface ThumbnailRequest {
  readonly width: number;
  readonly height: number;
  readonly method: ThumbnailMethod;
  /** Absent and `false` mean the same for the response: never animated. */
  readonly animated: boolean;
}

export type ThumbnailParamsResult =
  | { readonly ok: true; readonly request: ThumbnailRequest }
  | {
      readonly ok: false;
      /** Both are HTTP 400; the endpoint builds the MatrixError from these. */
      readonly errcode: 'M_MISSING_PARAM' | 'M_INVALID_PARAM';
      readonly error: string;
    };

const DIGITS = /^[0-9]+$/;

/**
 * Checks the query string. Values arrive as strings (or arrays when a parameter is repeated; the
 * first one counts, as in Synapse). Dimensions must be plain decimal digits naming a positive
 * safe integer: the spec's 400 covers "non-integer dimensions or negatively-sized images", and
 * zero cannot be thumbnailed either.
 */
export function parseThumbnailParams(
  query: Readonly<Record<string, unknown>>,
): ThumbnailParamsResult {
  const width = parseDimension(query, 'width');
  if (!width.ok) return width;
  const height = parseDimension(query, 'height');
  if (!height.ok) return height;

  const method = first(query.method) ?? 'scale';
  if (method !== 'crop' && method !== 'scale') {
    return invalid(`Query parameter method must be one of 'crop' or 'scale'`);
  }

  const animatedRaw = first(query.animated);
  if (animatedRaw !== undefined && animatedRaw !== 'true' && animatedRaw !== 'false') {
    return invalid(`Query parameter animated must be 'true' or 'false'`);
  }

  return {
    ok: true,
    request: { width: width.value, height: height.value, method, animated: animatedRaw === 'true' },
  };
}

type Parsed =
  | { readonly ok: true; readonly value: number }
  | Extract<ThumbnailParamsResult, { ok: false }>;

function parseDimension(query: Readonly<Record<string, unknown>>, name: string): Parsed {
  const raw = first(query[name]);
  if (raw === undefined) {
    return { ok: false, errcode: 'M_MISSING_PARAM', error: `Missing query parameter ${name}` };
  }
  const value = DIGITS.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value <= 0) {
    return invalid(`Query parameter ${name} must be a positive integer`);
  }
  return { ok: true, value };
}

function first(value: unknown): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  if (one === undefined) return undefined;
  // A non-string (a parser that produced an object) is as wrong as a bad string; '' fails later.
  return typeof one === 'string' ? one : '';
}

function invalid(error: string): Extract<ThumbnailParamsResult, { ok: false }> {
  return { ok: false, errcode: 'M_INVALID_PARAM', error };
}
