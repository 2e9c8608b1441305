import type { Clock, NewId } from '../clock.js';
import { AppError } from '../errors.js';
import { type Pool, transaction, withClient } from '../store/index.js';
import {
  applyVoiding,
  findStatementsByIds,
  insertAttachments,
  insertNewStatements,
  insertStatements,
  type StatementRow,
} from '../store/statements.js';
import type { AttachmentContent } from './attachments.js';
import { statementsEquivalent } from './equivalence.js';
import type { XapiVersion } from './formats.js';
import { statementTerms } from './terms.js';
import type { Actor, Statement, StoredStatement } from './types.js';

/**
 * X-Experience-API-Consistent-Through is `now` minus this margin, and a transaction storing statements
 * whose `stored` is older than the margin rolls back instead of committing (503, the client retries): so
 * every statement stored before the header's time is visible, and a poller never skips one that was
 * still committing (xAPI 2.0 §4.1.6.1, Communication 2.1.3).
 */
export const consistencyMarginMs = 10_000;

/** The queue the badge engine consumes: one job per newly stored statement. */
export const statementQueue = 'xapi.statement';

/** Who writes: the tenant, the course (course keys) and the authority the LRS records. */
export interface StatementWriter {
  platformId: string;
  courseId: string | null;
  lrsKey: string | null;
  authority: Actor;
}

export interface IngestDeps {
  pool: Pool;
  clock: Clock;
  newId: NewId;
}

/**
 * Stores validated statements in one transaction with their `xapi.statement` jobs (the outbox): all or
 * nothing. Ids already stored are accepted when the statements are equivalent, refused otherwise.
 * Returns the ids in request order.
 * @throws ERR_XAPI_DUPLICATE_ID (400) when the batch repeats an id; ERR_XAPI_STATEMENT_CONFLICT (409).
 */
export async function storeStatements(
  deps: IngestDeps,
  writer: StatementWriter,
  statements: Statement[],
  version: XapiVersion,
  attachments: AttachmentContent[] = [],
): Promise<string[]> {
  const stored = deps.clock.now();
  const storedText = stored.toISOString();
  const seen = new Set<string>();
  const full: StoredStatement[] = statements.map((statement, i) => {
    const id = statement.id ?? deps.newId();
    const key = id.toLowerCase();
    if (seen.has(key)) {
      throw new AppError(
        'ERR_XAPI_DUPLICATE_ID',
        `[${i}].id: statement id ${id} appears twice in the batch`,
        {
          details: { path: `[${i}].id` },
        },
      );
    }
    seen.add(key);
    return {
      ...statement,
      id,
      timestamp: statement.timestamp ?? storedText,
      stored: storedText,
      authority: writer.authority,
      version: statement.version ?? (version === '2.0.0' ? '2.0.0' : '1.0.0'),
    };
  });
  const rows: StatementRow[] = full.map((statement) => ({
    id: statement.id,
    statement,
    ...statementTerms(statement),
  }));
  const owner = { platformId: writer.platformId, courseId: writer.courseId, lrsKey: writer.lrsKey };
  // One SQL statement, its own transaction, when the batch needs no second one (no attachment, no voiding
  // statement) and, as the insert itself finds, every id is new: one round trip instead of three, which is
  // most of the cost of the one-statement POSTs of cmi5 and H5P content.
  if (attachments.length === 0 && rows.every((row) => row.voids === null)) {
    // On a held connection, so that the margin left is measured after any wait for one.
    const allNew = await withClient(deps.pool, (client) =>
      insertNewStatements(client, owner, stored, rows, statementQueue, marginLeft(deps, stored)),
    );
    if (allNew) return full.map((statement) => statement.id);
  }
  await transaction(deps.pool, async (client) => {
    // Each newly inserted statement is handed off in the same SQL statement (the outbox).
    const inserted = await insertStatements(
      client,
      owner,
      stored,
      rows,
      statementQueue,
      marginLeft(deps, stored),
    );
    const existingIds = full.filter((s) => !inserted.has(s.id.toLowerCase())).map((s) => s.id);
    if (existingIds.length > 0) await checkEquivalent(client, writer.platformId, full, existingIds);
    if (attachments.length > 0) await insertAttachments(client, writer.platformId, attachments);
    if (inserted.size === 0) return;
    if (rows.some((row) => row.voids !== null)) await applyVoiding(client, writer.platformId, [...inserted]);
    marginLeft(deps, stored); // throws, rolling back, when the statements after the insert used the margin up
  });
  return full.map((statement) => statement.id);
}

async function checkEquivalent(
  client: Parameters<typeof findStatementsByIds>[0],
  platformId: string,
  full: StoredStatement[],
  ids: string[],
): Promise<void> {
  const existing = await findStatementsByIds(client, platformId, ids);
  for (const statement of full) {
    const other = existing.get(statement.id.toLowerCase());
    if (other && !statementsEquivalent(other as Statement, statement)) {
      throw new AppError(
        'ERR_XAPI_STATEMENT_CONFLICT',
        `id: a different statement with id ${statement.id} is already stored`,
        { details: { path: 'id' } },
      );
    }
  }
}

/**
 * What is left of the Consistent-Through margin since `stored`: the SQL that stores the statements fails
 * when its run takes longer (and this throws at once when nothing is left).
 * @throws AppError ERR_DB_UNAVAILABLE (503, the client retries)
 */
function marginLeft(deps: IngestDeps, stored: Date): { marginLeftMs: number } {
  const marginLeftMs = consistencyMarginMs - (deps.clock.now().getTime() - stored.getTime());
  if (marginLeftMs < 0) {
    throw new AppError('ERR_DB_UNAVAILABLE', 'Storing the statements took too long; retry the request');
  }
  return { marginLeftMs };
}
