// One row per (event, local member) whose push rules made the event notify or highlight them
// (see the push-actions migration).
export interface EventPushActionsTable {
  event_id: string;
  user_id: string;
  room_id: string;
  stream_ordering: number;
  /** The thread root for an event in a thread; null for the main timeline. */
  thread_id: string | null;
  notify: boolean;
  highlight: boolean;
}
