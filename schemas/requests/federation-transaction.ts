// PUT /_matrix/federation/v1/send/{txnId}: a transaction of PDUs and EDUs from another server.
// https://spec.matrix.org/latest/server-server-api/#put_matrixfederationv1sendtxnid
// PDUs stay raw JSON here (each is checked on its own, and one bad PDU must not refuse the
// rest); only the envelope and the spec's limits of 50 PDUs and 100 EDUs are enforced.

export const transactionParams = {
  type: 'object',
  required: ['txnId'],
  properties: { txnId: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export const transactionBody = {
  type: 'object',
  required: ['origin', 'origin_server_ts', 'pdus'],
  properties: {
    origin: { type: 'string', minLength: 1 },
    origin_server_ts: { type: 'integer' },
    pdus: { type: 'array', maxItems: 50 },
    edus: { type: 'array', maxItems: 100 },
  },
} as const;

export interface TransactionParams {
  txnId: string;
}

export interface TransactionBody {
  origin: string;
  origin_server_ts: number;
  pdus: unknown[];
  edus?: unknown[];
}
