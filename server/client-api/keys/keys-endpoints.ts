// Every endpoint of server/client-api/keys/ (end-to-end encryption keys), for server/app.ts.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { claimKeys } from './claim-keys.ts';
import { crossSigningEndpoints } from './cross-signing-endpoints.ts';
import { getKeyChanges } from './get-key-changes.ts';
import { queryKeys } from './query-keys.ts';
import { uploadKeys } from './upload-keys.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const keysEndpoints: Endpoint<Context, any, any, any>[] = [
  uploadKeys,
  queryKeys,
  claimKeys,
  getKeyChanges,
  ...crossSigningEndpoints,
];
