// Rooms a user forgot, with the member event they forgot the room at (see the aliases migration).
export interface RoomForgottenTable {
  user_id: string;
  room_id: string;
  member_event_id: string;
  forgotten_ts: number;
}
