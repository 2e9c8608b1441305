export { claim, enqueue, enqueueMany, type Job, markDone, markFailed, type NewJob } from './queue.js';
export { createWorker, drainWorkers, type JobHandler, type Worker, type WorkerOptions } from './worker.js';
