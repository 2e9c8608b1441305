import { awardRevokeQueue, learnerJobHandler, learnerQueue, statementJobHandler } from './awards/index.js';
import type { AppContext } from './context.js';
import {
  ISSUE_CREDENTIAL_QUEUE,
  issueCredentialHandler,
  revokeAwardCredentialsHandler,
} from './issuing/index.js';
import { createWorker, drainWorkers, type JobHandler, type Worker } from './jobs/index.js';
import {
  createServiceClient,
  gradesSyncJobHandler,
  gradesSyncQueue,
  rosterSyncJobHandler,
  rosterSyncQueue,
} from './lti/services/index.js';
import { outboundPolicy } from './net/guarded-fetch.js';
import { createPuller, statementQueue } from './xapi/index.js';

/** Every durable queue Laurel consumes, with its handler. */
export function jobHandlers(ctx: AppContext): Record<string, JobHandler> {
  // One service client: its token cache serves the roster and grades syncs alike.
  const services = createServiceClient(ctx);
  return {
    [statementQueue]: statementJobHandler(ctx),
    [learnerQueue]: learnerJobHandler(ctx),
    [ISSUE_CREDENTIAL_QUEUE]: issueCredentialHandler(ctx),
    [awardRevokeQueue]: revokeAwardCredentialsHandler(ctx),
    [rosterSyncQueue]: rosterSyncJobHandler(ctx, services),
    [gradesSyncQueue]: gradesSyncJobHandler(ctx, services),
  };
}

export interface Workers {
  readonly queues: readonly string[];
  /** Runs every queue until none has a due job (tests, `laurel worker --once`). */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts one polling worker per queue; failures are logged and retried by the queue with backoff. */
export function startWorkers(ctx: AppContext, options: { pollMs?: number; start?: boolean } = {}): Workers {
  const handlers = jobHandlers(ctx);
  const workers: Worker[] = Object.entries(handlers).map(([queue, handler]) =>
    createWorker({
      pool: ctx.pool,
      queue,
      handler,
      clock: ctx.clock,
      pollMs: options.pollMs ?? 250,
      onError: (error, job) =>
        ctx.logger.warn(
          { err: error, queue, jobId: job?.id, attempts: job ? job.attempts + 1 : undefined },
          'job failed',
        ),
    }),
  );
  // Pulls from external LRSs (`laurel lrs-pull add`) run beside the queues; their statements enter the same queue.
  const puller = createPuller({ ...ctx, policy: outboundPolicy(ctx.config) });
  if (options.start !== false) {
    for (const worker of workers) worker.start();
    puller.start();
  }
  return {
    queues: Object.keys(handlers),
    drain: () => drainWorkers(workers),
    async stop() {
      await Promise.all([...workers.map((worker) => worker.stop()), puller.stop()]);
    },
  };
}
