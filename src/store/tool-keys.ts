import type { Queryable } from './pool.js';

/** One stored tool key (migrations/0100_lti_tool_keys.sql). The private key stays sealed here. */
export interface ToolKeyRecord {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  privateKeySealed: string | null;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
}

interface ToolKeyRow {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown>;
  private_key_sealed: string | null;
  created_at: Date;
  activates_at: Date;
  retired_at: Date | null;
}

const columns = 'kid, alg, public_jwk, private_key_sealed, created_at, activates_at, retired_at';

function toRecord(row: ToolKeyRow): ToolKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: row.public_jwk,
    privateKeySealed: row.private_key_sealed,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
    retiredAt: row.retired_at,
  };
}

/** Every key not yet marked retired, oldest activation first. */
export async function listLiveToolKeys(db: Queryable): Promise<ToolKeyRecord[]> {
  const { rows } = await db.query<ToolKeyRow>(
    `SELECT ${columns} FROM lti_tool_keys WHERE retired_at IS NULL ORDER BY activates_at, created_at, kid`,
  );
  return rows.map(toRecord);
}

/** Every key, retired ones included, oldest activation first (for `laurel keys list`). */
export async function listAllToolKeys(db: Queryable): Promise<ToolKeyRecord[]> {
  const { rows } = await db.query<ToolKeyRow>(
    `SELECT ${columns} FROM lti_tool_keys ORDER BY activates_at, created_at, kid`,
  );
  return rows.map(toRecord);
}

export async function insertToolKey(
  db: Queryable,
  key: Omit<ToolKeyRecord, 'retiredAt' | 'alg'> & { alg?: string },
): Promise<void> {
  await db.query(
    `INSERT INTO lti_tool_keys (kid, alg, public_jwk, private_key_sealed, created_at, activates_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      key.kid,
      key.alg ?? 'RS256',
      JSON.stringify(key.publicJwk),
      key.privateKeySealed,
      key.createdAt,
      key.activatesAt,
    ],
  );
}

/** Marks keys retired and erases their private halves; returns how many changed. */
export async function retireToolKeys(db: Queryable, kids: readonly string[], at: Date): Promise<number> {
  if (kids.length === 0) return 0;
  const { rowCount } = await db.query(
    `UPDATE lti_tool_keys SET retired_at = $2, private_key_sealed = NULL
     WHERE kid = ANY($1::text[]) AND retired_at IS NULL`,
    [kids, at],
  );
  return rowCount ?? 0;
}

/** Serialises key creation and rotation across processes (inside a transaction). */
export async function lockToolKeys(db: Queryable): Promise<void> {
  await db.query(
    `SELECT pg_advisory_xact_lock(hashtext('laurel.lti_tool_keys'), hashtext(current_schema()))`,
  );
}
