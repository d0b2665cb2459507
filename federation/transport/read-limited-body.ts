// Reads a response body up to a size limit: a remote server decides how much it sends, and a
// body held in memory whole must not be allowed to be arbitrarily large.
import type { Dispatcher } from 'undici';

export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
}

export async function readLimitedBody(
  response: Pick<Dispatcher.ResponseData, 'body' | 'headers'>,
  maxBytes: number,
): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new ResponseTooLargeError(`response of ${declared} bytes is over the ${maxBytes} limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      response.body.destroy();
      throw new ResponseTooLargeError(`response is over the ${maxBytes} byte limit`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
