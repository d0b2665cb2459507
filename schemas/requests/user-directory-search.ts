// POST /_matrix/client/v3/user_directory/search
import { NO_NUL } from './no-nul.ts';

export const userDirectorySearchBody = {
  type: 'object',
  required: ['search_term'],
  properties: {
    search_term: { type: 'string', maxLength: 256, pattern: NO_NUL },
    limit: { type: 'integer', minimum: 0 },
  },
} as const;

export interface UserDirectorySearchBody {
  search_term: string;
  limit?: number;
}
