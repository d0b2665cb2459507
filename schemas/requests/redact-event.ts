// Body of PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}.
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidredacteventidtxnid
export const redactEventBody = {
  type: 'object',
  properties: { reason: { type: 'string', maxLength: 65536 } },
} as const;

export interface RedactEventBody {
  reason?: string;
}
