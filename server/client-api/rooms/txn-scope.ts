// The endpoint half of a transaction id's scope. The spec scopes a txnId to the device and the
// HTTP endpoint: the same txnId sent to another room, with another event type or to redact
// another event is a new request. The scope is the request path between `/rooms/` and the txnId.
// https://spec.matrix.org/latest/client-server-api/#transaction-identifiers

export function sendTxnScope(roomId: string, eventType: string): string {
  return `${roomId}/send/${eventType}`;
}

export function redactTxnScope(roomId: string, eventId: string): string {
  return `${roomId}/redact/${eventId}`;
}
