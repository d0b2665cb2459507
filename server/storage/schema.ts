// The database as Kysely sees it. Each table's row type lives in tables/, one file per table.
// int8 (bigint) columns are typed `number`: database.ts parses them to numbers on both backends.

import type { AccessTokensTable } from './tables/access-tokens.ts';
import type { DevicesTable } from './tables/devices.ts';
import type {
  CurrentStateTable,
  EventsTable,
  EventTxnIdsTable,
  RoomForwardExtremitiesTable,
  RoomsTable,
} from './tables/rooms.ts';
import type { ServerMetadataTable } from './tables/server-metadata.ts';
import type { StateGroupEntriesTable, StateGroupsTable } from './tables/state-groups.ts';
import type { UsersTable } from './tables/users.ts';

export interface Database {
  users: UsersTable;
  devices: DevicesTable;
  access_tokens: AccessTokensTable;
  server_metadata: ServerMetadataTable;
  rooms: RoomsTable;
  events: EventsTable;
  state_groups: StateGroupsTable;
  state_group_entries: StateGroupEntriesTable;
  room_forward_extremities: RoomForwardExtremitiesTable;
  current_state: CurrentStateTable;
  event_txn_ids: EventTxnIdsTable;
}
