import { isAppError } from '../../errors.js';
import { enqueue, type JobHandler } from '../../jobs/index.js';
import type { Queryable } from '../../store/pool.js';
import type { ServiceClient, ServiceContext } from './client.js';
import { syncRoster } from './roster.js';

/** The durable queue of roster syncs: payload `{ courseId }`. */
export const rosterSyncQueue = 'lti.roster-sync';

/**
 * Enqueues a roster sync of a course (inside the caller's transaction: outbox), at most one per course per hour:
 * the dedupe key names the hour.
 * @returns the job id, or undefined when this hour's sync is already queued or done.
 */
export function enqueueRosterSync(db: Queryable, courseId: string, now: Date): Promise<number | undefined> {
  return enqueue(db, {
    queue: rosterSyncQueue,
    payload: { courseId },
    dedupeKey: `${courseId}@${now.toISOString().slice(0, 13)}`,
    runAt: now,
  });
}

/**
 * The job handler: reads the roster through NRPS, writes it in the job's transaction. A course that no longer
 * exists or offers no NRPS is done; any other failure (platform down, token refused) is retried by the queue.
 */
export function rosterSyncJobHandler(ctx: ServiceContext, client: ServiceClient): JobHandler {
  return async (job, db) => {
    const { courseId } = job.payload as { courseId?: unknown };
    if (typeof courseId !== 'string') return;
    try {
      await syncRoster(ctx, client, courseId, { db });
    } catch (error) {
      // Nothing a retry would change: the course is gone, or its launches offer no NRPS.
      if (!isAppError(error, 'ERR_NOT_FOUND', 'ERR_LTI_NRPS_NOT_OFFERED')) throw error;
    }
  };
}
