// Bodies and path parameters of the receipt, read marker and typing endpoints.
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidreceiptreceipttypeeventid
// https://spec.matrix.org/latest/client-server-api/#post_matrixclientv3roomsroomidread_markers
// https://spec.matrix.org/latest/client-server-api/#put_matrixclientv3roomsroomidtypinguserid
const eventId = { type: 'string', pattern: '^\\$', maxLength: 255 } as const;

export const RECEIPT_TYPES = ['m.read', 'm.read.private', 'm.fully_read'] as const;
export type ReceiptType = (typeof RECEIPT_TYPES)[number];

export const receiptParams = {
  type: 'object',
  properties: { receiptType: { enum: RECEIPT_TYPES } },
} as const;

export const receiptBody = {
  type: 'object',
  // `main` or a thread root's event id; the spec asks for a 400 when it is empty.
  properties: { thread_id: { type: 'string', minLength: 1, maxLength: 255 } },
} as const;

export interface ReceiptBody {
  thread_id?: string;
}

export const readMarkersBody = {
  type: 'object',
  properties: { 'm.fully_read': eventId, 'm.read': eventId, 'm.read.private': eventId },
} as const;

export interface ReadMarkersBody {
  'm.fully_read'?: string;
  'm.read'?: string;
  'm.read.private'?: string;
}

export const typingBody = {
  type: 'object',
  required: ['typing'],
  properties: {
    typing: { type: 'boolean' },
    timeout: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
  },
} as const;

export interface TypingBody {
  typing: boolean;
  timeout?: number;
}
