import type { Queryable } from './pool.js';

/** One OIDC login started by a platform (migrations/0110_lti_login.sql `lti_login_states`). */
export interface LoginState {
  state: string;
  nonce: string;
  platformId: string;
  deploymentId: string | null;
  targetLinkUri: string;
  browserBinding: string;
  storageTarget: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

interface LoginStateRow {
  state: string;
  nonce: string;
  platform_id: string;
  deployment_id: string | null;
  target_link_uri: string;
  browser_binding: string;
  storage_target: string | null;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

const columns =
  'state, nonce, platform_id, deployment_id, target_link_uri, browser_binding, storage_target, created_at, expires_at, used_at';

function toLoginState(row: LoginStateRow): LoginState {
  return {
    state: row.state,
    nonce: row.nonce,
    platformId: row.platform_id,
    deploymentId: row.deployment_id,
    targetLinkUri: row.target_link_uri,
    browserBinding: row.browser_binding,
    storageTarget: row.storage_target,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

export async function insertLoginState(db: Queryable, login: Omit<LoginState, 'usedAt'>): Promise<void> {
  await db.query(
    `INSERT INTO lti_login_states (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)`,
    [
      login.state,
      login.nonce,
      login.platformId,
      login.deploymentId,
      login.targetLinkUri,
      login.browserBinding,
      login.storageTarget,
      login.createdAt,
      login.expiresAt,
    ],
  );
}

export async function findLoginState(db: Queryable, state: string): Promise<LoginState | undefined> {
  const { rows } = await db.query<LoginStateRow>(`SELECT ${columns} FROM lti_login_states WHERE state = $1`, [
    state,
  ]);
  return rows[0] ? toLoginState(rows[0]) : undefined;
}

/** Marks the login used by a launch; false when another launch used it first (the row decides, not a read). */
export async function markLoginUsed(db: Queryable, state: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE lti_login_states SET used_at = $2 WHERE state = $1 AND used_at IS NULL AND expires_at > $2',
    [state, now],
  );
  return rowCount === 1;
}

/** Deletes logins that expired before `before` (kept a while after expiry so replays still get a clear error). */
export async function deleteExpiredLoginStates(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM lti_login_states WHERE expires_at < $1', [before]);
  return rowCount ?? 0;
}
