import type { Queryable } from './pool.js';

/** An external LRS to pull from (migrations/0202_xapi_pull.sql). */
export interface PullSource {
  id: string;
  platformId: string;
  courseId: string | null;
  endpoint: string;
  authKey: string;
  authSecretSealed: string;
  xapiVersion: string;
  since: Date | null;
  more: string | null;
  failures: number;
}

interface PullSourceRow {
  id: string;
  platform_id: string;
  course_id: string | null;
  endpoint: string;
  auth_key: string;
  auth_secret_sealed: string;
  xapi_version: string;
  since: Date | null;
  more: string | null;
  failures: number;
}

function fromRow(row: PullSourceRow): PullSource {
  return {
    id: row.id,
    platformId: row.platform_id,
    courseId: row.course_id,
    endpoint: row.endpoint,
    authKey: row.auth_key,
    authSecretSealed: row.auth_secret_sealed,
    xapiVersion: row.xapi_version,
    since: row.since,
    more: row.more,
    failures: row.failures,
  };
}

export async function insertPullSource(
  db: Queryable,
  source: Omit<PullSource, 'since' | 'more' | 'failures'> & { since?: Date | null; nextRunAt?: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO xapi_pull_sources (id, platform_id, course_id, endpoint, auth_key, auth_secret_sealed, xapi_version, since,
       next_run_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE($9, now()))`,
    [
      source.id,
      source.platformId,
      source.courseId,
      source.endpoint,
      source.authKey,
      source.authSecretSealed,
      source.xapiVersion,
      source.since ?? null,
      source.nextRunAt ?? null,
    ],
  );
}

/**
 * Takes a lease on up to `limit` sources due at `now` (another instance skips leased ones; a crashed poll's
 * lease simply runs out).
 */
export async function leaseDuePullSources(
  db: Queryable,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<PullSource[]> {
  const { rows } = await db.query<PullSourceRow>(
    `UPDATE xapi_pull_sources SET leased_until = $2
     WHERE id IN (SELECT id FROM xapi_pull_sources
                  WHERE next_run_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
                  ORDER BY next_run_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING id, platform_id, course_id, endpoint, auth_key, auth_secret_sealed, xapi_version, since, more, failures`,
    [now, new Date(now.getTime() + leaseMs), limit],
  );
  return rows.map(fromRow);
}

/** Records progress within a poll: the continuation to resume from. */
export async function savePullProgress(db: Queryable, id: string, more: string | null): Promise<void> {
  await db.query('UPDATE xapi_pull_sources SET more = $2 WHERE id = $1', [id, more]);
}

/** A poll finished: the new cursor, no continuation, the next run, the lease released. */
export async function finishPull(
  db: Queryable,
  id: string,
  since: Date | null,
  nextRunAt: Date,
): Promise<void> {
  await db.query(
    `UPDATE xapi_pull_sources SET since = $2, more = NULL, next_run_at = $3, leased_until = NULL, failures = 0,
       last_error = NULL WHERE id = $1`,
    [id, since, nextRunAt],
  );
}

/** A poll failed: count it, keep the cursor and continuation, retry at `nextRunAt`. */
export async function failPull(db: Queryable, id: string, error: string, nextRunAt: Date): Promise<void> {
  await db.query(
    `UPDATE xapi_pull_sources SET failures = failures + 1, last_error = $2, next_run_at = $3, leased_until = NULL
     WHERE id = $1`,
    [id, error.slice(0, 2000), nextRunAt],
  );
}

export async function findPullSource(
  db: Queryable,
  id: string,
): Promise<(PullSource & { lastError: string | null; nextRunAt: Date }) | undefined> {
  const { rows } = await db.query<PullSourceRow & { last_error: string | null; next_run_at: Date }>(
    `SELECT id, platform_id, course_id, endpoint, auth_key, auth_secret_sealed, xapi_version, since, more, failures,
       last_error, next_run_at FROM xapi_pull_sources WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  return row && { ...fromRow(row), lastError: row.last_error, nextRunAt: row.next_run_at };
}
