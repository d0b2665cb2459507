// Opens another server's media (or thumbnail) for reading: the federation endpoint's
// multipart/mixed reply, following a Location part to the bytes; servers older than Matrix 1.11
// that do not know the endpoint are asked on their legacy media path instead.
import type { Context } from '../../server/context.ts';
import { FederationHttpError } from '../transport/federation-client.ts';
import { readMultipartMixed } from './multipart-mixed-reader.ts';

export interface RemoteMediaBody {
  readonly contentType: string | undefined;
  readonly contentDisposition: string | undefined;
  readonly bytes: AsyncIterable<Uint8Array>;
  /** Releases the connection when the bytes were not read to the end. */
  close(): void;
}

export interface RemoteMediaPaths {
  /** /_matrix/federation/v1/media/..., percent-encoded with its query. */
  readonly federation: string;
  /** /_matrix/media/v3/... with allow_remote=false, for servers without the above. */
  readonly legacy: string;
}

export async function openRemoteMedia(
  ctx: Pick<Context, 'federation' | 'config'>,
  origin: string,
  paths: RemoteMediaPaths,
): Promise<RemoteMediaBody> {
  const client = ctx.federation.client;
  let response: Awaited<ReturnType<typeof client.stream>>;
  try {
    response = await client.stream(origin, { method: 'GET', path: paths.federation });
  } catch (err) {
    if (!(err instanceof FederationHttpError) || !mayLackFederationMedia(err)) throw err;
    let legacy: Awaited<ReturnType<typeof client.stream>>;
    try {
      legacy = await client.stream(origin, { method: 'GET', path: paths.legacy });
    } catch (legacyErr) {
      // No legacy path either: the first answer was the server's real one.
      if (legacyErr instanceof FederationHttpError && lacksEndpoint(legacyErr)) throw err;
      throw legacyErr;
    }
    return {
      contentType: header(legacy.headers['content-type']),
      contentDisposition: header(legacy.headers['content-disposition']),
      bytes: legacy.body,
      close: () => legacy.body.destroy(),
    };
  }
  const contentType = header(response.headers['content-type']) ?? '';
  let parsed: Awaited<ReturnType<typeof readMultipartMixed>>;
  try {
    parsed = await readMultipartMixed(contentType, response.body, {
      maxBytes: ctx.config.maxUploadBytes,
    });
  } catch (err) {
    response.body.destroy();
    throw err;
  }
  if ('location' in parsed) {
    response.body.destroy();
    const redirected = await client.streamUrl(origin, parsed.location);
    return {
      contentType: header(redirected.headers['content-type']),
      contentDisposition: header(redirected.headers['content-disposition']),
      bytes: redirected.body,
      close: () => redirected.body.destroy(),
    };
  }
  return {
    contentType: parsed.part.headers['content-type'],
    contentDisposition: parsed.part.headers['content-disposition'],
    bytes: parsed.part.body,
    close: () => response.body.destroy(),
  };
}

/**
 * Whether a failure of the federation endpoint may just mean the server predates it: it is then
 * asked on the legacy path. Servers without the route answer M_UNRECOGNIZED, but also plain 400,
 * 404, 405 or 501 (a 404 for media that really is unknown costs one more request, also a 404).
 */
function mayLackFederationMedia(err: FederationHttpError): boolean {
  return err.errcode === 'M_UNRECOGNIZED' || [400, 404, 405, 501].includes(err.status);
}

function lacksEndpoint(err: FederationHttpError): boolean {
  return err.errcode === 'M_UNRECOGNIZED' || err.status === 405 || err.status === 501;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
