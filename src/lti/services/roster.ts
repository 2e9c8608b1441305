import { onRosterLinked } from '../../awards/index.js';
import { type Queryable, transaction } from '../../store/pool.js';
import { type RosterMember, type RosterWrite, writeRoster } from '../../store/roster.js';
import type { ServiceClient, ServiceContext } from './client.js';
import { courseServiceTarget } from './course.js';
import { type Member, readMemberships } from './nrps.js';

export interface RosterSyncResult extends RosterWrite {
  /** Members listed (all statuses) and pages read. */
  listed: number;
  pageCount: number;
  differencesUrl?: string;
}

/** Active members, one per user id (a platform listing a user twice gets their roles merged). */
function activeMembers(members: readonly Member[], newId: () => string): RosterMember[] {
  const bySub = new Map<string, RosterMember>();
  for (const member of members) {
    if (member.status !== 'Active') continue;
    const known = bySub.get(member.userId);
    if (known) {
      known.roles = [...new Set([...known.roles, ...member.roles])];
      continue;
    }
    bySub.set(member.userId, {
      id: newId(),
      sub: member.userId,
      name: member.name,
      givenName: member.givenName,
      familyName: member.familyName,
      email: member.email,
      roles: member.roles,
    });
  }
  return [...bySub.values()];
}

/**
 * Reads a course's memberships through NRPS (every page) and then, in one transaction, upserts its users (emails
 * kept for identity linking), their enrolments and roles, and removes enrolments of users no longer active.
 * Nothing is written unless every page was read. With `options.db` (a job's transaction) the writes go there.
 * @throws AppError ERR_NOT_FOUND (no such course), ERR_LTI_NRPS_NOT_OFFERED (no launch offered NRPS for it), and
 * the errors of readMemberships.
 */
export async function syncRoster(
  ctx: ServiceContext,
  client: ServiceClient,
  courseId: string,
  options: { db?: Queryable } = {},
): Promise<RosterSyncResult> {
  const { platform, services, target } = await courseServiceTarget(ctx, courseId, 'NRPS');
  const memberships = await readMemberships(client, target, services.nrpsMembershipsUrl!);
  const members = activeMembers(memberships.members, ctx.newId);
  const write = async (db: Queryable) => {
    const written = await writeRoster(db, platform.id, courseId, members, ctx.clock.now());
    // Statements kept from actors not yet known may belong to learners the roster just brought in.
    await onRosterLinked(db, ctx, platform.id, courseId);
    return written;
  };
  const written = options.db ? await write(options.db) : await transaction(ctx.pool, write);
  return {
    ...written,
    listed: memberships.members.length,
    pageCount: memberships.pageCount,
    ...(memberships.differencesUrl ? { differencesUrl: memberships.differencesUrl } : {}),
  };
}
