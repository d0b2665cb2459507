// GET /_cairn/v1/blocks/{cid}
// An anchoring block (epoch or snapshot document) from this server's block store, for verifiers
// without an IPFS node: the bytes hash to the CID, so where they come from does not matter.
import { CID } from 'multiformats/cid';
import { BlockNotFoundError } from '../../anchoring/ipld-block-store.ts';
import type { Context } from '../../context.ts';
import { defineEndpoint } from '../../http/endpoint.ts';
import { notFound } from '../../http/matrix-error.ts';

interface Params {
  cid: string;
}

export const getBlock = defineEndpoint<Context, unknown, unknown, Params>({
  method: 'GET',
  path: '/_cairn/v1/blocks/:cid',
  handler: async (ctx, request, reply) => {
    let cid: CID;
    try {
      cid = CID.parse(request.params.cid);
    } catch {
      throw notFound('Not a CID');
    }
    try {
      const bytes = await ctx.anchoring.blocks.get(cid);
      return reply.header('content-type', 'application/vnd.ipld.raw').send(Buffer.from(bytes));
    } catch (err) {
      if (err instanceof BlockNotFoundError) throw notFound('No such block');
      throw err;
    }
  },
});
