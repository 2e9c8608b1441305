import { AppError } from '../errors.js';
import type { Queryable } from './pool.js';

/** How many newly stored statements one hand-off job carries at most. */
export const statementsPerJob = 100;

/** Where a statement belongs and who wrote it (from the LRS key). */
export interface StatementOwner {
  platformId: string;
  courseId: string | null;
  lrsKey: string | null;
}

/** One row to insert: the stored statement and its filter terms (src/xapi statementTerms). */
export interface StatementRow {
  id: string;
  statement: object;
  verbId: string;
  registration: string | null;
  voids: string | null;
  objectRef: string | null;
  agents: string[];
  relatedAgents: string[];
  activities: string[];
  relatedActivities: string[];
}

// The statements and the jobs that hand the newly inserted ones to the badge engine (the outbox), in one SQL
// statement: one round trip and one plan (prepared). One job per 100 inserted statements, payload
// {platformId, statementIds} in insertion order, due at `stored`, the table's default max_attempts: a job row
// per statement cost PostgreSQL a third more than storing the statements.
function insertStatementsSql(onConflict: string): string {
  return `WITH r AS (
    SELECT * FROM jsonb_to_recordset($4::jsonb) AS r(id uuid, statement jsonb, verb_id text, registration uuid,
      voids uuid, object_ref uuid, agents text[], related_agents text[], activities text[], related_activities text[])
  ),
  -- Statements of this batch that a stored voiding statement already targets: they are voided on arrival
  -- (1.0.3 Data 2.3.2). An index probe per id of the batch: written as a correlated EXISTS, the planner hashed
  -- every statement of the platform on each insert, which grew with the store (0.2 ms per statement at 10,000,
  -- 0.7 ms at 40,000).
  voided_early AS (
    SELECT v.voids AS id FROM xapi_statements v
    WHERE v.platform_id = $1 AND v.voids = ANY (ARRAY(SELECT r.id FROM r))
  ),
  inserted AS (
    INSERT INTO xapi_statements (platform_id, id, course_id, lrs_key, statement, stored, verb_id, registration,
      voids, voided, object_ref, agents, related_agents, activities, related_activities)
    SELECT $1, r.id, $2, $3, r.statement, $5, r.verb_id, r.registration, r.voids,
      -- A voiding statement is never voided itself.
      r.voids IS NULL AND r.id IN (SELECT id FROM voided_early),
      r.object_ref, r.agents, r.related_agents, r.activities, r.related_activities
    FROM r
    ${onConflict}
    RETURNING id, seq
  ),
  outbox AS (
    INSERT INTO jobs (queue, payload, run_at)
    SELECT $6::text, jsonb_build_object('platformId', $1::uuid::text, 'statementIds', jsonb_agg(c.id ORDER BY c.seq)), $5
    FROM (SELECT id, seq, (row_number() OVER (ORDER BY seq) - 1) / ${statementsPerJob} AS chunk FROM inserted) c
    GROUP BY c.chunk
    ORDER BY c.chunk
  )
  -- Once every row is in: fails with LA001 when this run took longer than what was left of the margin ($7).
  SELECT array_agg(id) AS ids FROM inserted HAVING xapi_within_margin($7)`;
}
const insertOrSkipSql = insertStatementsSql('ON CONFLICT (platform_id, id) DO NOTHING');
const insertAllNewSql = insertStatementsSql('');

/** How long the statement that stores the rows may run before failing (Consistent-Through, ms). */
export interface InsertBudget {
  marginLeftMs: number;
}

function insertQuery(
  name: string,
  text: string,
  owner: StatementOwner,
  stored: Date,
  rows: StatementRow[],
  jobQueue: string,
  budget: InsertBudget,
) {
  const payload = rows.map((row) => ({
    id: row.id,
    statement: row.statement,
    verb_id: row.verbId,
    registration: row.registration,
    voids: row.voids,
    object_ref: row.objectRef,
    agents: row.agents,
    related_agents: row.relatedAgents,
    activities: row.activities,
    related_activities: row.relatedActivities,
  }));
  // A named (prepared) statement: each connection parses and plans it once. Planning it costs PostgreSQL
  // about as much CPU as storing five statements, so single-statement POSTs paid that on every request.
  return {
    name,
    text,
    values: [
      owner.platformId,
      owner.courseId,
      owner.lrsKey,
      JSON.stringify(payload),
      stored,
      jobQueue,
      budget.marginLeftMs,
    ],
  };
}

/** The database's "stored too late" error (migrations/0203) as the 503 a client retries. */
function marginError(error: unknown): unknown {
  if ((error as { code?: string })?.code !== 'LA001') return error;
  return new AppError('ERR_DB_UNAVAILABLE', 'Storing the statements took too long; retry the request', {
    cause: error,
  });
}

/**
 * Inserts the rows that are new (one multi-row INSERT ... ON CONFLICT DO NOTHING) with their jobs in
 * `jobQueue` (`{platformId, statementIds}`, at most `statementsPerJob` ids each, written by the same SQL
 * statement, due at `stored`), and returns the ids inserted; ids already stored are left for the caller to
 * compare. Call inside a transaction.
 * @throws AppError ERR_DB_UNAVAILABLE when the statement ran past `budget`.
 */
export async function insertStatements(
  db: Queryable,
  owner: StatementOwner,
  stored: Date,
  rows: StatementRow[],
  jobQueue: string,
  budget: InsertBudget,
): Promise<Set<string>> {
  const query = insertQuery('xapi_insert_statements', insertOrSkipSql, owner, stored, rows, jobQueue, budget);
  try {
    const { rows } = await db.query<{ ids: string[] | null }>(query);
    return new Set(rows[0]?.ids ?? []);
  } catch (error) {
    throw marginError(error);
  }
}

/**
 * Stores the rows and their jobs as `insertStatements` does, in one SQL statement that is its own
 * transaction (autocommit): when every id is new. Answers false, having written nothing, when one of the
 * ids is already stored (the caller then compares them inside a transaction).
 * @throws AppError ERR_DB_UNAVAILABLE when the statement ran past `budget` (nothing is written).
 */
export async function insertNewStatements(
  db: Queryable,
  owner: StatementOwner,
  stored: Date,
  rows: StatementRow[],
  jobQueue: string,
  budget: InsertBudget,
): Promise<boolean> {
  const query = insertQuery(
    'xapi_insert_new_statements',
    insertAllNewSql,
    owner,
    stored,
    rows,
    jobQueue,
    budget,
  );
  try {
    await db.query(query);
    return true;
  } catch (error) {
    const pg = error as { code?: string; constraint?: string };
    if (pg?.code === '23505' && pg.constraint === 'xapi_statements_pkey') return false;
    throw marginError(error);
  }
}

/** The stored statements with these ids (voided or not), by id. */
export async function findStatementsByIds(
  db: Queryable,
  platformId: string,
  ids: string[],
): Promise<Map<string, object>> {
  const { rows } = await db.query<{ id: string; statement: object }>(
    'SELECT id, statement FROM xapi_statements WHERE platform_id = $1 AND id = ANY($2::uuid[])',
    [platformId, ids],
  );
  return new Map(rows.map((row) => [row.id, row.statement]));
}

/**
 * Applies voiding for a batch holding voiding statements (1.0.3 Data 2.3.2): each voids its target unless
 * the target is itself a voiding statement. (Targets arriving later are voided as they are inserted.)
 */
export async function applyVoiding(db: Queryable, platformId: string, insertedIds: string[]): Promise<void> {
  await db.query(
    `UPDATE xapi_statements t SET voided = true
     WHERE t.platform_id = $1 AND t.voids IS NULL AND NOT t.voided
       AND t.id IN (SELECT v.voids FROM xapi_statements v
                    WHERE v.platform_id = $1 AND v.id = ANY($2::uuid[]) AND v.voids IS NOT NULL)`,
    [platformId, insertedIds],
  );
}

/** Which statements a reader may see: its platform, its course (course keys), its own (read/mine). */
export interface ReadScope {
  platformId: string;
  courseId: string | null;
  onlyKey: string | null;
}

export interface StatementFilter {
  agent?: string;
  verb?: string;
  activity?: string;
  registration?: string;
  relatedActivities?: boolean;
  relatedAgents?: boolean;
  since?: Date;
  until?: Date;
  ascending?: boolean;
  limit: number;
  /** Continue after this (stored, seq) position (the `more` cursor). */
  after?: { stored: string; seq: number };
}

export interface StatementPage {
  statements: { statement: object; stored: Date; seq: number }[];
  /** The position of the last statement when there are more. */
  next?: { stored: string; seq: number };
}

function scopeWhere(scope: ReadScope, params: unknown[]): string[] {
  params.push(scope.platformId);
  const where = [`platform_id = $${params.length}`];
  if (scope.courseId) {
    params.push(scope.courseId);
    where.push(`course_id = $${params.length}`);
  }
  if (scope.onlyKey) {
    params.push(scope.onlyKey);
    where.push(`lrs_key = $${params.length}`);
  }
  return where;
}

/** One statement by id: the voided one for `voided`, else only when not voided. */
export async function findStatement(
  db: Queryable,
  scope: ReadScope,
  id: string,
  voided: boolean,
): Promise<{ statement: object; stored: Date } | undefined> {
  const params: unknown[] = [];
  const where = scopeWhere(scope, params);
  params.push(id, voided);
  const { rows } = await db.query<{ statement: object; stored: Date }>(
    `SELECT statement, stored FROM xapi_statements
     WHERE ${where.join(' AND ')} AND id = $${params.length - 1} AND voided = $${params.length}`,
    params,
  );
  return rows[0];
}

/**
 * A page of statements matching the filter, newest first unless ascending; voided statements excluded.
 * Filters other than since/until/limit also match statements that target (StatementRef) a matching
 * statement, voided or not, along chains (1.0.3 Communication 2.1.3, "Filter Conditions for StatementRefs").
 */
export async function queryStatements(
  db: Queryable,
  scope: ReadScope,
  filter: StatementFilter,
): Promise<StatementPage> {
  const params: unknown[] = [];
  const scoped = scopeWhere(scope, params);
  const match: string[] = [];
  const add = (into: string[], sql: (n: string) => string, value: unknown) => {
    params.push(value);
    into.push(sql(`$${params.length}`));
  };
  if (filter.agent) {
    add(
      match,
      (n) => `${filter.relatedAgents ? 'related_agents' : 'agents'} @> ARRAY[${n}::text]`,
      filter.agent,
    );
  }
  if (filter.verb) add(match, (n) => `verb_id = ${n}`, filter.verb);
  if (filter.activity) {
    const column = filter.relatedActivities ? 'related_activities' : 'activities';
    add(match, (n) => `${column} @> ARRAY[${n}::text]`, filter.activity);
  }
  if (filter.registration) add(match, (n) => `registration = ${n}::uuid`, filter.registration);
  const where = [...scoped, 'NOT voided'];
  if (filter.since) add(where, (n) => `stored > ${n}`, filter.since);
  if (filter.until) add(where, (n) => `stored <= ${n}`, filter.until);
  const order = filter.ascending ? 'ASC' : 'DESC';
  if (filter.after) {
    params.push(filter.after.stored, filter.after.seq);
    const cmp = filter.ascending ? '>' : '<';
    where.push(`(stored, seq) ${cmp} ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
  }
  params.push(filter.limit + 1);
  const limit = `$${params.length}`;
  const scopeSql = scoped.join(' AND ');
  const sql =
    match.length === 0
      ? `SELECT statement, stored, seq, stored::text AS stored_text FROM xapi_statements
         WHERE ${where.join(' AND ')} ORDER BY stored ${order}, seq ${order} LIMIT ${limit}`
      : `WITH RECURSIVE matched (id) AS (
           SELECT id FROM xapi_statements WHERE ${scopeSql} AND ${match.join(' AND ')}
           UNION
           SELECT s.id FROM xapi_statements s JOIN matched m ON s.object_ref = m.id
           WHERE ${scoped.map((c) => `s.${c}`).join(' AND ')}
         )
         SELECT statement, stored, seq, stored::text AS stored_text FROM xapi_statements
         WHERE ${where.join(' AND ')} AND id IN (SELECT id FROM matched)
         ORDER BY stored ${order}, seq ${order} LIMIT ${limit}`;
  const { rows } = await db.query<{ statement: object; stored: Date; seq: number; stored_text: string }>(
    sql,
    params,
  );
  const more = rows.length > filter.limit;
  const page = more ? rows.slice(0, filter.limit) : rows;
  const last = page[page.length - 1];
  return {
    statements: page.map((row) => ({ statement: row.statement, stored: row.stored, seq: row.seq })),
    ...(more && last ? { next: { stored: last.stored_text, seq: last.seq } } : {}),
  };
}

/** Stores attachment contents by hash (the same content is stored once per platform). */
export async function insertAttachments(
  db: Queryable,
  platformId: string,
  attachments: { sha2: string; contentType: string; content: Buffer }[],
): Promise<void> {
  for (const attachment of attachments) {
    await db.query(
      `INSERT INTO xapi_attachments (platform_id, sha2, content_type, content) VALUES ($1, $2, $3, $4)
       ON CONFLICT (platform_id, sha2) DO NOTHING`,
      [platformId, attachment.sha2, attachment.contentType, attachment.content],
    );
  }
}

/** The stored contents for these hashes. */
export async function findAttachments(
  db: Queryable,
  platformId: string,
  hashes: string[],
): Promise<{ sha2: string; contentType: string; content: Buffer }[]> {
  if (hashes.length === 0) return [];
  const { rows } = await db.query<{ sha2: string; content_type: string; content: Buffer }>(
    'SELECT sha2, content_type, content FROM xapi_attachments WHERE platform_id = $1 AND sha2 = ANY($2::text[])',
    [platformId, hashes],
  );
  return rows.map((row) => ({ sha2: row.sha2, contentType: row.content_type, content: row.content }));
}
