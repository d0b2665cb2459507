// The media repository's rows: which mxc:// URIs exist, where their bytes are (a CID in the blob
// store), and the thumbnails made or fetched for them. The bytes themselves are in the blob store
// (server/media/blob-store/); a blob is only removed once no row names its CID.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.ts';
import type { MediaTable, MediaThumbnailsTable } from './tables/media.ts';

export type MediaRow = Selectable<MediaTable>;
export type ThumbnailRow = Selectable<MediaThumbnailsTable>;

export interface StoredMedia {
  readonly origin: string;
  readonly mediaId: string;
  readonly cid: string;
  readonly size: number;
  readonly contentType: string | null;
  readonly uploadName: string | null;
}

/** An upload of ours. */
export async function insertLocalMedia(
  db: Kysely<Database>,
  media: StoredMedia & { readonly userId: string; readonly now: number },
): Promise<void> {
  await insertMediaRow(db, media, media.userId);
}

/** A cached copy of remote media; a concurrent fetch of the same media that landed first wins. */
export async function insertRemoteMedia(
  db: Kysely<Database>,
  media: StoredMedia & { readonly now: number },
): Promise<void> {
  await insertMediaRow(db, media, null);
}

async function insertMediaRow(
  db: Kysely<Database>,
  media: StoredMedia & { readonly now: number },
  userId: string | null,
): Promise<void> {
  const insert = db.insertInto('media').values({
    origin: media.origin,
    media_id: media.mediaId,
    cid: media.cid,
    size: media.size,
    content_type: media.contentType,
    upload_name: media.uploadName,
    user_id: userId,
    created_ts: media.now,
    last_access_ts: media.now,
  });
  // Local media ids are fresh, so a conflict there is a bug worth an error.
  await (userId === null
    ? insert.onConflict((oc) => oc.columns(['origin', 'media_id']).doNothing())
    : insert
  ).execute();
}

/** POST create: an mxc:// URI reserved for `userId`, waiting for its bytes until `expiresTs`. */
export async function insertPendingMedia(
  db: Kysely<Database>,
  pending: {
    readonly origin: string;
    readonly mediaId: string;
    readonly userId: string;
    readonly now: number;
    readonly expiresTs: number;
  },
): Promise<void> {
  await db
    .insertInto('media')
    .values({
      origin: pending.origin,
      media_id: pending.mediaId,
      user_id: pending.userId,
      created_ts: pending.now,
      last_access_ts: pending.now,
      unused_expires_ts: pending.expiresTs,
    })
    .execute();
}

/** Asynchronous uploads of a user still waiting for their bytes. */
export async function countPendingMediaOf(
  db: Kysely<Database>,
  userId: string,
  now: number,
): Promise<number> {
  const row = await db
    .selectFrom('media')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('cid', 'is', null)
    .where('unused_expires_ts', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * PUT upload: gives a pending URI its bytes. Only the first upload lands (the row must still have
 * no CID), so two concurrent uploads cannot both succeed. false: it already had bytes.
 */
export async function completePendingMedia(
  db: Kysely<Database>,
  media: StoredMedia & { readonly now: number },
): Promise<boolean> {
  const result = await db
    .updateTable('media')
    .set({
      cid: media.cid,
      size: media.size,
      content_type: media.contentType,
      upload_name: media.uploadName,
      unused_expires_ts: null,
      last_access_ts: media.now,
    })
    .where('origin', '=', media.origin)
    .where('media_id', '=', media.mediaId)
    .where('cid', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function getMedia(
  db: Kysely<Database>,
  origin: string,
  mediaId: string,
): Promise<MediaRow | undefined> {
  return db
    .selectFrom('media')
    .selectAll()
    .where('origin', '=', origin)
    .where('media_id', '=', mediaId)
    .executeTakeFirst();
}

/** Retention counts from the last download; one write per hour per media is enough for that. */
export async function touchMedia(
  db: Kysely<Database>,
  media: Pick<MediaRow, 'origin' | 'media_id' | 'last_access_ts'>,
  now: number,
): Promise<void> {
  if (now - media.last_access_ts < 3_600_000) return;
  await db
    .updateTable('media')
    .set({ last_access_ts: now })
    .where('origin', '=', media.origin)
    .where('media_id', '=', media.media_id)
    .execute();
}

export interface ThumbnailKey {
  readonly origin: string;
  readonly mediaId: string;
  readonly width: number;
  readonly height: number;
  readonly method: string;
  readonly animated: boolean;
}

export async function getThumbnail(
  db: Kysely<Database>,
  key: ThumbnailKey,
): Promise<ThumbnailRow | undefined> {
  return db
    .selectFrom('media_thumbnails')
    .selectAll()
    .where('origin', '=', key.origin)
    .where('media_id', '=', key.mediaId)
    .where('width', '=', key.width)
    .where('height', '=', key.height)
    .where('method', '=', key.method)
    .where('animated', '=', key.animated)
    .executeTakeFirst();
}

export async function insertThumbnail(
  db: Kysely<Database>,
  thumbnail: ThumbnailKey & {
    readonly cid: string;
    readonly size: number;
    readonly contentType: string;
    readonly now: number;
  },
): Promise<void> {
  await db
    .insertInto('media_thumbnails')
    .values({
      origin: thumbnail.origin,
      media_id: thumbnail.mediaId,
      width: thumbnail.width,
      height: thumbnail.height,
      method: thumbnail.method,
      animated: thumbnail.animated,
      cid: thumbnail.cid,
      size: thumbnail.size,
      content_type: thumbnail.contentType,
      created_ts: thumbnail.now,
    })
    .onConflict((oc) =>
      oc.columns(['origin', 'media_id', 'width', 'height', 'method', 'animated']).doNothing(),
    )
    .execute();
}

export async function setMediaQuarantine(
  db: Kysely<Database>,
  origin: string,
  mediaId: string,
  quarantinedBy: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('media')
    .set({ quarantined_by: quarantinedBy })
    .where('origin', '=', origin)
    .where('media_id', '=', mediaId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Deletes the media's row and its thumbnails in one transaction, and returns the CIDs they named
 * that no other row names any more: the blobs the caller may now remove.
 */
export async function deleteMediaRows(
  db: Kysely<Database>,
  origin: string,
  mediaId: string,
): Promise<{ found: boolean; orphanedCids: string[] }> {
  return db.transaction().execute(async (trx) => {
    const media = await trx
      .deleteFrom('media')
      .where('origin', '=', origin)
      .where('media_id', '=', mediaId)
      .returning('cid')
      .executeTakeFirst();
    const thumbnails = await trx
      .deleteFrom('media_thumbnails')
      .where('origin', '=', origin)
      .where('media_id', '=', mediaId)
      .returning('cid')
      .execute();
    const cids = new Set<string>();
    if (media?.cid) cids.add(media.cid);
    for (const t of thumbnails) cids.add(t.cid);
    const orphanedCids: string[] = [];
    for (const cid of cids) {
      if (!(await cidReferenced(trx, cid))) orphanedCids.push(cid);
    }
    return { found: media !== undefined, orphanedCids };
  });
}

/** Whether any media or thumbnail row names the CID. */
export async function cidReferenced(db: Kysely<Database>, cid: string): Promise<boolean> {
  const [media, thumbnail] = await Promise.all([
    db.selectFrom('media').select('media_id').where('cid', '=', cid).limit(1).executeTakeFirst(),
    db
      .selectFrom('media_thumbnails')
      .select('media_id')
      .where('cid', '=', cid)
      .limit(1)
      .executeTakeFirst(),
  ]);
  return media !== undefined || thumbnail !== undefined;
}

/**
 * Media to drop under the retention settings: local or remote media not downloaded since
 * `before`, and asynchronous uploads whose time for bytes ran out. Oldest first.
 */
export async function expiredMedia(
  db: Kysely<Database>,
  query: {
    readonly serverName: string;
    readonly localBefore: number | undefined;
    readonly remoteBefore: number | undefined;
    readonly now: number;
    readonly limit: number;
  },
): Promise<Pick<MediaRow, 'origin' | 'media_id'>[]> {
  return db
    .selectFrom('media')
    .select(['origin', 'media_id'])
    .where((eb) => {
      const conditions = [
        eb.and([eb('cid', 'is', null), eb('unused_expires_ts', '<=', query.now)]),
      ];
      if (query.localBefore !== undefined) {
        conditions.push(
          eb.and([
            eb('origin', '=', query.serverName),
            eb('cid', 'is not', null),
            eb('last_access_ts', '<', query.localBefore),
          ]),
        );
      }
      if (query.remoteBefore !== undefined) {
        conditions.push(
          eb.and([
            eb('origin', '!=', query.serverName),
            eb('last_access_ts', '<', query.remoteBefore),
          ]),
        );
      }
      return eb.or(conditions);
    })
    .orderBy('last_access_ts')
    .limit(query.limit)
    .execute();
}
