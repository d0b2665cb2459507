// User-interactive authentication sessions: which stages a client has completed for one API call.
export interface UiaSessionsTable {
  session_id: string;
  /** The API call the session authenticates, e.g. `POST /register`; a session works for no other. */
  endpoint: string;
  /** The authenticated requester the session belongs to, or null (registration, no token). */
  user_id: string | null;
  /** JSON array of completed stage types, in order. */
  completed: string;
  /** JSON object: what each completed stage established, e.g. the registration token used. */
  results: string;
  created_ts: number;
  expires_ts: number;
}
