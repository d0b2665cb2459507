// Local room aliases: `#localpart:<our server name>` to a room id.
export interface RoomAliasesTable {
  room_alias: string;
  room_id: string;
  /** Who created the alias: they may delete it whatever their power in the room. */
  creator: string;
  created_ts: number;
}
