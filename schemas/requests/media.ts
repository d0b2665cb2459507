// Path and query parameters of the media endpoints (their bodies are the files themselves).
// https://spec.matrix.org/latest/client-server-api/#content-repository

// The spec's server name grammar (hostname and optional port): anything else cannot name a server,
// and was tried as a fetch target and answered 502 (found by the endpoint fuzzer).
// https://spec.matrix.org/latest/appendices/#server-name
const serverName = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^(?:\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9.-]{1,255})(?::[0-9]{1,5})?$',
} as const;
const mediaId = { type: 'string', minLength: 1, maxLength: 255 } as const;

export const mediaParams = {
  type: 'object',
  required: ['serverName', 'mediaId'],
  properties: { serverName, mediaId },
} as const;

export interface MediaParams {
  serverName: string;
  mediaId: string;
}

export const namedMediaParams = {
  type: 'object',
  required: ['serverName', 'mediaId', 'fileName'],
  properties: { serverName, mediaId, fileName: { type: 'string', maxLength: 255 } },
} as const;

export interface NamedMediaParams extends MediaParams {
  fileName: string;
}

export const federationMediaParams = {
  type: 'object',
  required: ['mediaId'],
  properties: { mediaId },
} as const;

export interface FederationMediaParams {
  mediaId: string;
}

export const uploadQuery = {
  type: 'object',
  properties: { filename: { type: 'string', maxLength: 255 } },
} as const;

export interface UploadQuery {
  filename?: string;
}

/** How long a download of media not yet uploaded may wait; the spec's default is 20 seconds. */
const timeoutMs = { type: 'integer', minimum: 0, default: 20000 } as const;

export const downloadQuery = {
  type: 'object',
  properties: {
    timeout_ms: timeoutMs,
    allow_remote: { type: 'boolean', default: true },
    allow_redirect: { type: 'boolean' },
  },
} as const;

export interface DownloadQuery {
  timeout_ms: number;
  allow_remote: boolean;
}

/** width/height are checked by the thumbnail code, so its errors name the parameter. */
export const thumbnailQuery = {
  type: 'object',
  properties: {
    width: { type: 'string' },
    height: { type: 'string' },
    method: { type: 'string' },
    animated: { type: 'string' },
    timeout_ms: timeoutMs,
    allow_remote: { type: 'boolean', default: true },
    allow_redirect: { type: 'boolean' },
  },
} as const;

export interface ThumbnailQuery {
  width?: string;
  height?: string;
  method?: string;
  animated?: string;
  timeout_ms: number;
  allow_remote: boolean;
}
