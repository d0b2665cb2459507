// The database as Kysely sees it. Each table's row type lives in tables/, one file per table.
// int8 (bigint) columns are typed `number`: database.ts parses them to numbers on both backends.

import type { AccessTokensTable } from './tables/access-tokens.ts';
import type { AccountDataTable } from './tables/account-data.ts';
import type {
  AnchorEpochsTable,
  AnchorSnapshotsTable,
  ArchiveEventBlocksTable,
  ArchiveRoomsTable,
} from './tables/anchoring.ts';
import type { DevicesTable } from './tables/devices.ts';
import type {
  DeviceListChangesTable,
  E2eCrossSigningKeysTable,
  E2eDeviceKeysTable,
  E2eFallbackKeysTable,
  E2eOneTimeKeysTable,
  E2eSignaturesTable,
  RemoteDeviceListsTable,
} from './tables/e2e-keys.ts';
import type { EventPushActionsTable } from './tables/event-push-actions.ts';
import type { EventRelationsTable } from './tables/event-relations.ts';
import type {
  FederationDestinationsTable,
  FederationOutboxTable,
  FederationStreamPositionsTable,
} from './tables/federation-queue.ts';
import type { FiltersTable } from './tables/filters.ts';
import type { KeyBackupSessionsTable, KeyBackupVersionsTable } from './tables/key-backup.ts';
import type { MediaTable, MediaThumbnailsTable } from './tables/media.ts';
import type { PresenceTable } from './tables/presence.ts';
import type { ProfilesTable } from './tables/profiles.ts';
import type { ReceiptsTable } from './tables/receipts.ts';
import type { RefreshTokensTable } from './tables/refresh-tokens.ts';
import type { RegistrationTokensTable } from './tables/registration-tokens.ts';
import type { RemoteInviteStateTable } from './tables/remote-invite-state.ts';
import type { RoomAliasesTable } from './tables/room-aliases.ts';
import type { RoomForgottenTable } from './tables/room-forgotten.ts';
import type {
  CurrentStateTable,
  EventsTable,
  EventTxnIdsTable,
  RoomForwardExtremitiesTable,
  RoomsTable,
} from './tables/rooms.ts';
import type { ServerKeysTable } from './tables/server-keys.ts';
import type { ServerMetadataTable } from './tables/server-metadata.ts';
import type { EthereumWalletsTable, SiweNoncesTable } from './tables/siwe.ts';
import type { StateGroupEntriesTable, StateGroupsTable } from './tables/state-groups.ts';
import type {
  DeviceInboxTable,
  ToDeviceRemoteIdsTable,
  ToDeviceTxnIdsTable,
} from './tables/to-device.ts';
import type { UiaSessionsTable } from './tables/uia-sessions.ts';
import type { UsersTable } from './tables/users.ts';

export interface Database {
  users: UsersTable;
  devices: DevicesTable;
  access_tokens: AccessTokensTable;
  server_metadata: ServerMetadataTable;
  profiles: ProfilesTable;
  account_data: AccountDataTable;
  filters: FiltersTable;
  refresh_tokens: RefreshTokensTable;
  registration_tokens: RegistrationTokensTable;
  uia_sessions: UiaSessionsTable;
  rooms: RoomsTable;
  events: EventsTable;
  state_groups: StateGroupsTable;
  state_group_entries: StateGroupEntriesTable;
  room_forward_extremities: RoomForwardExtremitiesTable;
  current_state: CurrentStateTable;
  event_txn_ids: EventTxnIdsTable;
  event_relations: EventRelationsTable;
  event_push_actions: EventPushActionsTable;
  receipts: ReceiptsTable;
  room_aliases: RoomAliasesTable;
  room_forgotten: RoomForgottenTable;
  presence: PresenceTable;
  server_keys: ServerKeysTable;
  remote_invite_state: RemoteInviteStateTable;
  federation_outbox: FederationOutboxTable;
  federation_destinations: FederationDestinationsTable;
  federation_stream_positions: FederationStreamPositionsTable;
  device_inbox: DeviceInboxTable;
  to_device_txn_ids: ToDeviceTxnIdsTable;
  to_device_remote_ids: ToDeviceRemoteIdsTable;
  key_backup_versions: KeyBackupVersionsTable;
  key_backup_sessions: KeyBackupSessionsTable;
  e2e_device_keys: E2eDeviceKeysTable;
  e2e_one_time_keys: E2eOneTimeKeysTable;
  e2e_fallback_keys: E2eFallbackKeysTable;
  e2e_cross_signing_keys: E2eCrossSigningKeysTable;
  e2e_signatures: E2eSignaturesTable;
  device_list_changes: DeviceListChangesTable;
  remote_device_lists: RemoteDeviceListsTable;
  media: MediaTable;
  media_thumbnails: MediaThumbnailsTable;
  anchor_epochs: AnchorEpochsTable;
  anchor_snapshots: AnchorSnapshotsTable;
  archive_event_blocks: ArchiveEventBlocksTable;
  archive_rooms: ArchiveRoomsTable;
  siwe_nonces: SiweNoncesTable;
  ethereum_wallets: EthereumWalletsTable;
}
