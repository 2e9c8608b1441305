import type { Queryable } from './pool.js';

/** One LMS registration (migrations/0002_tenancy.sql `platforms`). */
export interface Platform {
  id: string;
  issuer: string;
  clientId: string;
  name: string;
  authLoginUrl: string;
  authTokenUrl: string;
  /** `aud` of client assertions; null means `authTokenUrl` (migrations/0101). */
  authTokenAudience: string | null;
  jwksUrl: string;
  productFamilyCode: string | null;
  strictDeployments: boolean;
  createdAt: Date;
}

/** What a new registration needs; `id` comes from the injected `newId`. */
export interface NewPlatform {
  id: string;
  issuer: string;
  clientId: string;
  name?: string;
  authLoginUrl: string;
  authTokenUrl: string;
  authTokenAudience?: string | null;
  jwksUrl: string;
  productFamilyCode?: string | null;
  strictDeployments?: boolean;
}

interface PlatformRow {
  id: string;
  issuer: string;
  client_id: string;
  name: string;
  auth_login_url: string;
  auth_token_url: string;
  auth_token_audience: string | null;
  jwks_url: string;
  product_family_code: string | null;
  strict_deployments: boolean;
  created_at: Date;
}

const columns =
  'id, issuer, client_id, name, auth_login_url, auth_token_url, auth_token_audience, jwks_url, product_family_code, strict_deployments, created_at';

function toPlatform(row: PlatformRow): Platform {
  return {
    id: row.id,
    issuer: row.issuer,
    clientId: row.client_id,
    name: row.name,
    authLoginUrl: row.auth_login_url,
    authTokenUrl: row.auth_token_url,
    authTokenAudience: row.auth_token_audience,
    jwksUrl: row.jwks_url,
    productFamilyCode: row.product_family_code,
    strictDeployments: row.strict_deployments,
    createdAt: row.created_at,
  };
}

/**
 * Inserts a platform; returns it, or `undefined` when (issuer, client_id) is already registered
 * (the unique key decides, not a prior read).
 */
export async function insertPlatform(db: Queryable, platform: NewPlatform): Promise<Platform | undefined> {
  const { rows } = await db.query<PlatformRow>(
    `INSERT INTO platforms (id, issuer, client_id, name, auth_login_url, auth_token_url, jwks_url,
       product_family_code, strict_deployments, auth_token_audience)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (issuer, client_id) DO NOTHING
     RETURNING ${columns}`,
    [
      platform.id,
      platform.issuer,
      platform.clientId,
      platform.name ?? '',
      platform.authLoginUrl,
      platform.authTokenUrl,
      platform.jwksUrl,
      platform.productFamilyCode ?? null,
      platform.strictDeployments ?? false,
      platform.authTokenAudience ?? null,
    ],
  );
  return rows[0] ? toPlatform(rows[0]) : undefined;
}

export async function findPlatformById(db: Queryable, id: string): Promise<Platform | undefined> {
  const { rows } = await db.query<PlatformRow>(`SELECT ${columns} FROM platforms WHERE id = $1`, [id]);
  return rows[0] ? toPlatform(rows[0]) : undefined;
}

/** The registration an id_token or login request names by `iss` and `aud`/`client_id`. */
export async function findPlatformByIssuerAndClient(
  db: Queryable,
  issuer: string,
  clientId: string,
): Promise<Platform | undefined> {
  const { rows } = await db.query<PlatformRow>(
    `SELECT ${columns} FROM platforms WHERE issuer = $1 AND client_id = $2`,
    [issuer, clientId],
  );
  return rows[0] ? toPlatform(rows[0]) : undefined;
}

/** Every registration of one issuer (a login without `client_id` is unambiguous only when there is one). */
export async function findPlatformsByIssuer(db: Queryable, issuer: string): Promise<Platform[]> {
  const { rows } = await db.query<PlatformRow>(
    `SELECT ${columns} FROM platforms WHERE issuer = $1 ORDER BY created_at, id`,
    [issuer],
  );
  return rows.map(toPlatform);
}

export async function listPlatforms(db: Queryable): Promise<Platform[]> {
  const { rows } = await db.query<PlatformRow>(`SELECT ${columns} FROM platforms ORDER BY created_at, id`);
  return rows.map(toPlatform);
}

/** Turns strict deployments on or off; returns the platform, or undefined when there is none with this id. */
export async function setStrictDeployments(
  db: Queryable,
  id: string,
  strict: boolean,
): Promise<Platform | undefined> {
  const { rows } = await db.query<PlatformRow>(
    `UPDATE platforms SET strict_deployments = $2 WHERE id = $1 RETURNING ${columns}`,
    [id, strict],
  );
  return rows[0] ? toPlatform(rows[0]) : undefined;
}

/** Records a deployment of a platform; true when it was new. */
export async function recordDeployment(
  db: Queryable,
  platformId: string,
  deploymentId: string,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO deployments (platform_id, deployment_id) VALUES ($1, $2)
     ON CONFLICT (platform_id, deployment_id) DO NOTHING`,
    [platformId, deploymentId],
  );
  return rowCount === 1;
}

export async function hasDeployment(
  db: Queryable,
  platformId: string,
  deploymentId: string,
): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM deployments WHERE platform_id = $1 AND deployment_id = $2', [
    platformId,
    deploymentId,
  ]);
  return rows.length > 0;
}

/** The deployment ids recorded for a platform, oldest first. */
export async function listDeployments(db: Queryable, platformId: string): Promise<string[]> {
  const { rows } = await db.query<{ deployment_id: string }>(
    'SELECT deployment_id FROM deployments WHERE platform_id = $1 ORDER BY created_at, deployment_id',
    [platformId],
  );
  return rows.map((row) => row.deployment_id);
}
