import type { AppContext } from '../context.js';
import { createWorker, type Worker } from '../jobs/index.js';
import { statementQueue } from '../xapi/index.js';
import { learnerJobHandler } from './learner-job.js';
import { learnerQueue } from './link.js';
import { statementJobHandler } from './statement-job.js';

/** The badge engine's workers: 'xapi.statement' (incremental) and 'badges.learner' (linking, backfill). */
export function createAwardWorkers(
  ctx: Pick<AppContext, 'pool' | 'clock' | 'newId' | 'logger'>,
  options: { pollMs?: number } = {},
): Worker[] {
  const deps = { clock: ctx.clock, newId: ctx.newId };
  const onError = (error: unknown, job?: { id: number; queue: string }) =>
    ctx.logger.warn(
      { err: error, jobId: job?.id, queue: job?.queue },
      'badge job failed; it will be retried',
    );
  return [
    createWorker({
      pool: ctx.pool,
      queue: statementQueue,
      clock: ctx.clock,
      handler: statementJobHandler(deps),
      onError,
      ...options,
    }),
    createWorker({
      pool: ctx.pool,
      queue: learnerQueue,
      clock: ctx.clock,
      handler: learnerJobHandler(deps),
      onError,
      ...options,
    }),
  ];
}
