import type { Clock } from '../clock.js';
import { type Pool, type PoolClient, transaction } from '../store/index.js';
import { claim, type Job, markDone, markFailed } from './queue.js';

/** Handles one job inside the transaction that will mark it done: its writes commit with the completion. */
export type JobHandler = (job: Job, client: PoolClient) => Promise<void>;

export interface WorkerOptions {
  pool: Pool;
  queue: string;
  handler: JobHandler;
  clock: Clock;
  pollMs?: number;
  onError?: (error: unknown, job?: Job) => void;
}

export interface Worker {
  /** Processes due jobs until none is left; returns how many were handled (tests and CLI call this). */
  drain(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * A polling worker: each job runs in its own transaction holding the job's row lock, so it is done
 * exactly once in effect; a failure rolls back the handler's writes and schedules a retry.
 */
export function createWorker(options: WorkerOptions): Worker {
  const { pool, queue, handler, clock } = options;
  const pollMs = options.pollMs ?? 500;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;

  async function runOne(): Promise<boolean> {
    let failed: { job: Job; error: unknown } | undefined;
    const handled = await transaction(pool, async (client) => {
      const [job] = await claim(client, queue, 1, clock.now());
      if (!job) return false;
      await client.query('SAVEPOINT job');
      try {
        await handler(job, client);
        await markDone(client, job.id, clock.now());
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT job');
        await markFailed(client, job, error, clock.now());
        failed = { job, error };
      }
      return true;
    });
    if (failed) options.onError?.(failed.error, failed.job);
    return handled;
  }

  async function drain(): Promise<number> {
    let count = 0;
    while (await runOne()) {
      count++;
      // A background drain yields to stop(); a direct call (tests, CLI) runs until the queue is empty.
      if (stopped && timer !== undefined) break;
    }
    return count;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = drain()
        .catch((error) => options.onError?.(error))
        .finally(schedule);
    }, pollMs);
  }

  return {
    drain,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** Drains `workers` in turn until a whole round handles no job (one job may enqueue another's); returns the count. */
export async function drainWorkers(workers: readonly Worker[]): Promise<number> {
  let total = 0;
  for (;;) {
    let round = 0;
    for (const worker of workers) round += await worker.drain();
    total += round;
    if (round === 0) return total;
  }
}
