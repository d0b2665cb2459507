// PUT /user/{userId}/account_data/{type} and the per-room variant: any JSON object.
export const accountDataBody = { type: 'object' } as const;

export const accountDataParams = {
  type: 'object',
  required: ['userId', 'type'],
  properties: {
    userId: { type: 'string', minLength: 1, maxLength: 255 },
    roomId: { type: 'string', minLength: 1, maxLength: 255 },
    type: { type: 'string', minLength: 1, maxLength: 255 },
  },
} as const;

export interface AccountDataParams {
  userId: string;
  type: string;
}

export interface RoomAccountDataParams extends AccountDataParams {
  roomId: string;
}
