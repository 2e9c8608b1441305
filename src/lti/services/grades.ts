import { onGradesChanged } from '../../awards/index.js';
import { AppError } from '../../errors.js';
import { lockKey } from '../../store/badge-evidence.js';
import {
  courseLineItemRefs,
  type LineItemRef,
  replaceCourseGrades,
  replaceLineItemRefs,
  type StoredGrade,
  usersBySub,
} from '../../store/grades.js';
import { findCourse } from '../../store/people.js';
import { type Queryable, transaction } from '../../store/pool.js';
import { type LineItem, listLineItems, listResults } from './ags.js';
import type { ServiceClient, ServiceContext } from './client.js';
import { courseServiceTarget } from './course.js';

export interface GradesSyncResult {
  /** The `lineItem.id`s the course's rules name, and how many line items they resolved to. */
  refs: number;
  lineItems: number;
  /** Results read with a score, and the learners (known users) whose grades changed. */
  results: number;
  learnersChanged: number;
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/**
 * Which line items a rule's `lineItem.id` names (docs/rules.md "Grades"): the one whose AGS `id` (its URL) equals
 * it, and every one whose `resourceId` equals it (stable across course copies, so library rules can name it).
 */
export function resolveLineItemRefs(refs: readonly string[], items: readonly LineItem[]): LineItemRef[] {
  return refs.flatMap((ref) =>
    items
      .filter((item) => sameUrl(item.id, ref) || item.resourceId === ref)
      .map((item) => ({ ref, lineItemUrl: item.id, label: item.label, scoreMaximum: item.scoreMaximum })),
  );
}

/** Reads every result with a score of these line items (AGS 2.0 §3.3); `resultMaximum` defaults to 1. */
async function readGrades(
  client: ServiceClient,
  target: Parameters<typeof listResults>[1],
  urls: readonly string[],
): Promise<StoredGrade[]> {
  const grades: StoredGrade[] = [];
  for (const url of urls) {
    for (const result of await listResults(client, target, url)) {
      if (result.resultScore === undefined || result.resultScore < 0) continue;
      const scoreMaximum =
        result.resultMaximum !== undefined && result.resultMaximum > 0 ? result.resultMaximum : 1;
      grades.push({
        lineItemUrl: url,
        userSub: result.userId,
        resultId: result.id ?? null,
        scoreGiven: result.resultScore,
        scoreMaximum,
      });
    }
  }
  return grades;
}

/**
 * Syncs a course's grades for its `lineItem` rules: reads the course's line items and the results of those the
 * rules name through AGS (every page first), then in one transaction stores the references and the grades
 * (idempotent upserts) and enqueues an evaluation for every known learner whose grades changed. Nothing is
 * written unless every read succeeded. With `options.db` (a job's transaction) the writes go there.
 * @throws AppError ERR_NOT_FOUND (no such course), ERR_LTI_AGS_NOT_OFFERED, and the errors of listLineItems and
 * listResults (ERR_LTI_AGS_*, ERR_LTI_TOKEN_*, ERR_OUTBOUND_*).
 */
export async function syncGrades(
  ctx: ServiceContext,
  client: ServiceClient,
  courseId: string,
  options: { db?: Queryable; change?: string } = {},
): Promise<GradesSyncResult> {
  const db = options.db ?? ctx.pool;
  const course = await findCourse(db, courseId);
  if (!course) throw new AppError('ERR_NOT_FOUND', `No course ${courseId}`);
  const refs = await courseLineItemRefs(db, courseId);
  let resolved: LineItemRef[] = [];
  let grades: StoredGrade[] = [];
  if (refs.length > 0) {
    const { services, target } = await courseServiceTarget(ctx, courseId, 'AGS');
    const items = await listLineItems(client, target, services.agsLineItemsUrl!);
    resolved = resolveLineItemRefs(refs, items);
    grades = await readGrades(client, target, [...new Set(resolved.map((r) => r.lineItemUrl))]);
  }
  const write = async (tx: Queryable) => {
    // Two syncs of one course (a rule change and the schedule) write one after the other.
    await lockKey(tx, `lti:grades-sync:${courseId}`);
    const now = ctx.clock.now();
    const newlyNamed = await replaceLineItemRefs(tx, courseId, resolved, now);
    const owner = { platformId: course.platformId, courseId };
    const subs = await replaceCourseGrades(tx, owner, grades, newlyNamed, now);
    const userIds = await usersBySub(tx, course.platformId, subs);
    await onGradesChanged(tx, ctx, course.platformId, userIds, options.change ?? ctx.newId());
    return userIds.length;
  };
  const learnersChanged = options.db ? await write(options.db) : await transaction(ctx.pool, write);
  return {
    refs: refs.length,
    lineItems: new Set(resolved.map((r) => r.lineItemUrl)).size,
    results: grades.length,
    learnersChanged,
  };
}
