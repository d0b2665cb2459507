// POST /_matrix/client/v3/user_directory/search
export const userDirectorySearchBody = {
  type: 'object',
  required: ['search_term'],
  properties: {
    search_term: { type: 'string', maxLength: 256 },
    limit: { type: 'integer', minimum: 0 },
  },
} as const;

export interface UserDirectorySearchBody {
  search_term: string;
  limit?: number;
}
