import type { Queryable } from '../store/index.js';

export interface NewJob {
  queue: string;
  payload: unknown;
  /** Enqueueing the same key on the same queue again is a no-op. */
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

export interface Job {
  id: number;
  queue: string;
  payload: unknown;
  dedupeKey: string | null;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
}

/**
 * Adds a job; call it with the transaction's client so the job commits with the data it is about
 * (the outbox pattern). Returns the new id, or undefined when the dedupe key already exists.
 */
export async function enqueue(db: Queryable, job: NewJob): Promise<number | undefined> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO jobs (queue, payload, dedupe_key, run_at, max_attempts)
     VALUES ($1, $2, $3, COALESCE($4, now()), $5)
     ON CONFLICT (queue, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
     RETURNING id`,
    [job.queue, JSON.stringify(job.payload), job.dedupeKey ?? null, job.runAt ?? null, job.maxAttempts ?? 10],
  );
  return rows[0]?.id;
}

/**
 * Adds several jobs in one statement (same semantics as `enqueue`, one round trip); call it with the
 * transaction's client. Returns how many were added (dedupe keys already present are skipped).
 */
export async function enqueueMany(db: Queryable, jobs: readonly NewJob[]): Promise<number> {
  if (jobs.length === 0) return 0;
  const rows = jobs.map((job) => ({
    queue: job.queue,
    payload: job.payload,
    dedupe_key: job.dedupeKey ?? null,
    run_at: job.runAt?.toISOString() ?? null,
    max_attempts: job.maxAttempts ?? 10,
  }));
  const { rowCount } = await db.query(
    `INSERT INTO jobs (queue, payload, dedupe_key, run_at, max_attempts)
     SELECT r.queue, r.payload, r.dedupe_key, COALESCE(r.run_at, now()), r.max_attempts
     FROM jsonb_to_recordset($1::jsonb) AS r(queue text, payload jsonb, dedupe_key text, run_at timestamptz, max_attempts int)
     ON CONFLICT (queue, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`,
    [JSON.stringify(rows)],
  );
  return rowCount ?? 0;
}

interface JobRow {
  id: number;
  queue: string;
  payload: unknown;
  dedupe_key: string | null;
  attempts: number;
  max_attempts: number;
  run_at: Date;
}

/**
 * Locks up to `limit` due jobs of `queue` inside the caller's transaction (FOR UPDATE SKIP LOCKED), so
 * concurrent workers never take the same job and a crash releases it.
 */
export async function claim(db: Queryable, queue: string, limit: number, now: Date): Promise<Job[]> {
  const { rows } = await db.query<JobRow>(
    `SELECT id, queue, payload, dedupe_key, attempts, max_attempts, run_at FROM jobs
     WHERE queue = $1 AND done_at IS NULL AND failed_at IS NULL AND run_at <= $2
     ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED`,
    [queue, now, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    queue: row.queue,
    payload: row.payload,
    dedupeKey: row.dedupe_key,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
  }));
}

export async function markDone(db: Queryable, id: number, now: Date): Promise<void> {
  await db.query('UPDATE jobs SET done_at = $2, attempts = attempts + 1 WHERE id = $1', [id, now]);
}

/** Records a failed attempt: retried later with exponential backoff, or failed for good after max_attempts. */
export async function markFailed(db: Queryable, job: Job, error: unknown, now: Date): Promise<void> {
  const attempts = job.attempts + 1;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const backoffMs = Math.min(2 ** attempts * 1000, 60 * 60 * 1000);
  await db.query(
    `UPDATE jobs SET attempts = $2, last_error = $3,
       run_at = $4, failed_at = CASE WHEN $2 >= max_attempts THEN $5::timestamptz END
     WHERE id = $1`,
    [job.id, attempts, message.slice(0, 2000), new Date(now.getTime() + backoffMs), now],
  );
}
