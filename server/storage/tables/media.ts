// The media repository (migration media).

/** An mxc:// URI known here: local media, or a cached copy of remote media. */
export interface MediaTable {
  /** The server name in the mxc:// URI. */
  origin: string;
  media_id: string;
  /** The bytes in the blob store; null while an asynchronous upload waits for its bytes. */
  cid: string | null;
  size: number | null;
  content_type: string | null;
  /** The file name given at upload (or in the remote server's Content-Disposition). */
  upload_name: string | null;
  /** The local uploader; null for remote media. */
  user_id: string | null;
  created_ts: number;
  /** An asynchronous upload's deadline for its bytes; null once uploaded. */
  unused_expires_ts: number | null;
  last_access_ts: number;
  /** The admin who quarantined it; quarantined media is never served. */
  quarantined_by: string | null;
}

export interface MediaThumbnailsTable {
  origin: string;
  media_id: string;
  width: number;
  height: number;
  method: string;
  animated: boolean;
  cid: string;
  size: number;
  content_type: string;
  created_ts: number;
}
