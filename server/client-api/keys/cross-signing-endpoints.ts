// The cross-signing endpoints under server/client-api/keys/, for server/app.ts.
import type { Context } from '../../context.ts';
import type { Endpoint } from '../../http/endpoint.ts';
import { uploadCrossSigningKeys } from './upload-cross-signing-keys.ts';
import { uploadSignatures } from './upload-signatures.ts';

// biome-ignore lint/suspicious/noExplicitAny: endpoints differ in their request generics
export const crossSigningEndpoints: Endpoint<Context, any, any, any>[] = [
  uploadCrossSigningKeys,
  uploadSignatures,
];
