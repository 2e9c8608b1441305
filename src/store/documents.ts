import type { Queryable } from './pool.js';

export type DocumentKind = 'state' | 'activity_profile' | 'agent_profile';

/** Identifies one document; parts a resource does not use are ''. */
export interface DocumentKey {
  platformId: string;
  kind: DocumentKind;
  activityId: string;
  agent: string;
  registration: string;
  documentId: string;
}

export interface StoredDocument {
  content: Buffer;
  contentType: string;
  etag: string;
  updated: Date;
}

const keyColumns = 'platform_id = $1 AND kind = $2 AND activity_id = $3 AND agent = $4 AND registration = $5';

function keyParams(key: Omit<DocumentKey, 'documentId'>): unknown[] {
  return [key.platformId, key.kind, key.activityId, key.agent, key.registration];
}

/**
 * One document; `lock` serialises read-modify-writes of this key in the caller's transaction (an advisory
 * lock, so it also holds while the document does not exist yet: two `If-None-Match: *` PUTs cannot both win).
 */
export async function findDocument(
  db: Queryable,
  key: DocumentKey,
  lock = false,
): Promise<StoredDocument | undefined> {
  if (lock) {
    await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      JSON.stringify([key.platformId, key.kind, key.activityId, key.agent, key.registration, key.documentId]),
    ]);
  }
  const { rows } = await db.query<{ content: Buffer; content_type: string; etag: string; updated: Date }>(
    `SELECT content, content_type, etag, updated FROM xapi_documents WHERE ${keyColumns} AND document_id = $6`,
    [...keyParams(key), key.documentId],
  );
  const row = rows[0];
  return row && { content: row.content, contentType: row.content_type, etag: row.etag, updated: row.updated };
}

export async function saveDocument(db: Queryable, key: DocumentKey, document: StoredDocument): Promise<void> {
  await db.query(
    `INSERT INTO xapi_documents (platform_id, kind, activity_id, agent, registration, document_id, content,
       content_type, etag, updated)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (platform_id, kind, activity_id, agent, registration, document_id)
     DO UPDATE SET content = EXCLUDED.content, content_type = EXCLUDED.content_type, etag = EXCLUDED.etag,
       updated = EXCLUDED.updated`,
    [
      ...keyParams(key),
      key.documentId,
      document.content,
      document.contentType,
      document.etag,
      document.updated,
    ],
  );
}

/** Deletes one document, or (documentId undefined) every document under the key. */
export async function deleteDocuments(
  db: Queryable,
  key: Omit<DocumentKey, 'documentId'> & { documentId?: string },
): Promise<void> {
  if (key.documentId === undefined) {
    await db.query(`DELETE FROM xapi_documents WHERE ${keyColumns}`, keyParams(key));
    return;
  }
  await db.query(`DELETE FROM xapi_documents WHERE ${keyColumns} AND document_id = $6`, [
    ...keyParams(key),
    key.documentId,
  ]);
}

/** The ids of the documents under the key, updated after `since` when given. */
export async function listDocumentIds(
  db: Queryable,
  key: Omit<DocumentKey, 'documentId'>,
  since?: Date,
): Promise<string[]> {
  const { rows } = await db.query<{ document_id: string }>(
    `SELECT document_id FROM xapi_documents WHERE ${keyColumns} AND ($6::timestamptz IS NULL OR updated > $6)
     ORDER BY document_id`,
    [...keyParams(key), since ?? null],
  );
  return rows.map((row) => row.document_id);
}

/** The Activity objects of the latest statements (up to `limit`) whose object is this activity, newest first. */
export async function recentActivityObjects(
  db: Queryable,
  platformId: string,
  activityId: string,
  limit = 100,
): Promise<object[]> {
  const { rows } = await db.query<{ object: object }>(
    `SELECT statement->'object' AS object FROM xapi_statements
     WHERE platform_id = $1 AND activities @> ARRAY[$2::text] ORDER BY stored DESC, seq DESC LIMIT $3`,
    [platformId, activityId, limit],
  );
  return rows.map((row) => row.object);
}
