// The `filter` parameter of /sync: a filter id from POST /user/{userId}/filter, or the filter's
// JSON inline (it starts with `{`). Errors follow Synapse, which clients have met: JSON that does
// not parse is M_NOT_JSON, a filter of the wrong shape M_BAD_JSON, an unknown id M_INVALID_PARAM.
// https://spec.matrix.org/latest/client-server-api/#get_matrixclientv3sync
import { Ajv } from 'ajv';
import type { Kysely } from 'kysely';
import { type SyncFilter, syncFilter } from '../../schemas/requests/sync-filter.ts';
import { badJson, invalidParam, notJson } from '../http/matrix-error.ts';
import { getFilter } from '../storage/filters.ts';
import type { Database } from '../storage/schema.ts';

const validate = new Ajv({ strict: false, allErrors: false }).compile(syncFilter);

export async function resolveSyncFilter(
  db: Kysely<Database>,
  userId: string,
  param: string | undefined,
): Promise<SyncFilter> {
  if (param === undefined || param === '') return {};
  if (param.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(param);
    } catch {
      throw notJson('The filter is not valid JSON');
    }
    if (!validate(parsed)) {
      const first = validate.errors?.[0];
      throw badJson(`Invalid filter: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim());
    }
    return parsed as SyncFilter;
  }
  const stored = await getFilter(db, userId, param);
  if (!stored) throw invalidParam('No such filter');
  return stored as SyncFilter;
}
