// remote_invite_state: the stripped state sent with an invite to a room we are not in.
export interface RemoteInviteStateTable {
  event_id: string;
  room_id: string;
  stripped_json: string;
}
