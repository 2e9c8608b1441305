import type { Queryable } from './pool.js';

/** The credential issued for an award (one per award version; `award_key` is `<awardId>:v<version>`). */
export interface AwardCredential {
  awardId: string;
  credentialId: string;
  issuerName: string;
  /** The achievement image the credential names (`credentialSubject.achievement.image.id`), if any. */
  imageUrl: string | null;
  revokedAt: Date | null;
  /** Set while the credential is suspended (CREDENTIAL_SUSPENSION). */
  suspendedAt: Date | null;
  suspensionReason: string | null;
  /** True when its status entry can say suspended (a `message` list), false for revocation-only ones. */
  suspendable: boolean;
}

/**
 * The credentials of these awards at the version each was awarded under, by award id: one indexed lookup on the
 * unique `award_key`. Awards whose credential is not issued yet are absent.
 */
export async function credentialsOfAwards(
  db: Queryable,
  awards: readonly { id: string; achievementVersion: number }[],
): Promise<Map<string, AwardCredential>> {
  if (awards.length === 0) return new Map();
  const { rows } = await db.query<{
    id: string;
    award_key: string;
    issuer_name: string;
    image_url: string | null;
    revoked_at: Date | null;
    suspended_at: Date | null;
    suspension_reason: string | null;
    suspendable: boolean;
  }>(
    `SELECT c.id, c.award_key, i.name AS issuer_name, c.revoked_at, c.suspended_at, c.suspension_reason,
            l.purpose = 'message' AS suspendable,
            c.document #>> '{credentialSubject,achievement,image,id}' AS image_url
     FROM credentials c JOIN issuers i ON i.id = c.issuer_id JOIN status_lists l ON l.id = c.status_list_id
     WHERE c.award_key = ANY($1::text[])`,
    [awards.map((a) => `${a.id}:v${a.achievementVersion}`)],
  );
  return new Map(
    rows.map((row) => {
      const awardId = row.award_key.slice(0, row.award_key.lastIndexOf(':v'));
      return [
        awardId,
        {
          awardId,
          credentialId: row.id,
          issuerName: row.issuer_name,
          imageUrl: row.image_url,
          revokedAt: row.revoked_at,
          suspendedAt: row.suspended_at,
          suspensionReason: row.suspension_reason,
          suspendable: row.suspendable,
        },
      ];
    }),
  );
}

/** Display names of users (name, else email, else null), by id. */
export async function userNames(
  db: Queryable,
  userIds: readonly string[],
): Promise<Map<string, string | null>> {
  if (userIds.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; name: string | null; email: string | null }>(
    'SELECT id, name, email FROM users WHERE id = ANY($1::uuid[])',
    [[...new Set(userIds)]],
  );
  return new Map(rows.map((row) => [row.id, row.name ?? row.email]));
}

/** Everyone enrolled in the course (launch or roster), with a display name, by name. */
export async function courseMembers(
  db: Queryable,
  courseId: string,
): Promise<{ userId: string; name: string | null }[]> {
  const { rows } = await db.query<{ id: string; name: string | null }>(
    `SELECT u.id, COALESCE(u.name, u.email) AS name FROM enrollments e JOIN users u ON u.id = e.user_id
     WHERE e.course_id = $1 ORDER BY COALESCE(u.name, u.email) NULLS LAST, u.id LIMIT 5000`,
    [courseId],
  );
  return rows.map((row) => ({ userId: row.id, name: row.name }));
}
