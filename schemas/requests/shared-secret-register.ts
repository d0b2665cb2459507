// Body of POST /_synapse/admin/v1/register (Synapse's shared-secret registration).
export const sharedSecretRegisterBody = {
  type: 'object',
  required: ['nonce', 'username', 'password', 'mac'],
  properties: {
    nonce: { type: 'string', minLength: 1, maxLength: 255 },
    username: { type: 'string', minLength: 1, maxLength: 255 },
    displayname: { type: 'string', maxLength: 1024 },
    password: { type: 'string', minLength: 1, maxLength: 512 },
    admin: { type: 'boolean' },
    user_type: { type: ['string', 'null'], maxLength: 255 },
    mac: { type: 'string', pattern: '^[0-9a-fA-F]{40}$' },
  },
} as const;

export interface SharedSecretRegisterBody {
  nonce: string;
  username: string;
  displayname?: string;
  password: string;
  admin?: boolean;
  user_type?: string | null;
  mac: string;
}
