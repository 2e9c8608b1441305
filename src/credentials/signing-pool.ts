import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode, errorCodes } from '../errors.js';
import type { IssuerKey } from './keys.js';
import type { Credential } from './sign.js';

/** What the pool posts to a signing thread: the key travels with every request (a few hundred bytes). */
export interface SignRequest {
  id: number;
  credential: Credential;
  key: IssuerKey;
  /** `created` in ISO 8601 with milliseconds: the thread's `new Date(created)` is the same instant. */
  created: string;
}

/** A signing thread's answer to one request. */
export type SignReply =
  | { id: number; signed: Credential }
  | { id: number; error: { code: ErrorCode; message: string; details?: Record<string, unknown> } };

export interface SigningPoolOptions {
  /** Worker threads (at least 1). */
  threads: number;
  /** Requests waiting for a thread beyond which `sign` fails fast with ERR_CREDENTIAL_SIGNING_BUSY. */
  queueLimit?: number;
  /** Old-generation heap limit of each thread, in MB: a thread over it dies (and is replaced), the process lives. */
  maxHeapMb?: number;
  /** Told when a thread dies unexpectedly (it is replaced on the next request). */
  onCrash?: (error: Error) => void;
}

export interface SigningPool {
  readonly threads: number;
  /**
   * Signs `credential` with `key` in a worker thread: the same bytes as `signCredential(credential, key, created)`.
   * @throws AppError ERR_CREDENTIAL_SIGNING_BUSY (queue full), ERR_SHUTTING_DOWN (closed),
   * ERR_CREDENTIAL_SIGNING_FAILED (the thread died), and what signCredential throws.
   */
  sign(credential: Credential, key: IssuerKey, created: Date): Promise<Credential>;
  /** Refuses new and queued requests, lets the ones in a thread finish, then stops every thread. */
  close(): Promise<void>;
}

interface Pending {
  request: SignRequest;
  resolve: (signed: Credential) => void;
  reject: (error: AppError) => void;
}

interface Slot {
  worker: Worker | undefined;
  inFlight: Map<number, Pending>;
}

// Two requests per thread: the next one is already in its port when one finishes, so a thread never idles
// waiting for the main thread; more would only put more requests at risk when a thread dies.
const PER_THREAD = 2;

/**
 * Where a signing thread starts. Built (`dist/`): the compiled signing-worker.js beside this file. From the
 * TypeScript sources (jest, whose transform worker threads bypass): signing-worker.ts through the swc hooks in
 * test/helpers/ts-worker-hooks.mjs.
 */
function workerEntry(): { url: URL; execArgv: string[] } {
  if (!import.meta.url.endsWith('.ts'))
    return { url: new URL('./signing-worker.js', import.meta.url), execArgv: [] };
  const hooks = new URL('../../test/helpers/ts-worker-hooks.mjs', import.meta.url).href;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(hooks)});`;
  return {
    url: new URL('./signing-worker.ts', import.meta.url),
    execArgv: ['--import', `data:text/javascript,${encodeURIComponent(register)}`],
  };
}

function toAppError(error: {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}): AppError {
  const code = error.code in errorCodes ? error.code : 'ERR_CREDENTIAL_SIGNING_FAILED';
  return new AppError(code, error.message, error.details ? { details: error.details } : {});
}

/**
 * Starts a pool of `threads` signing threads, each holding a fast signer per key (fast-sign.ts). Threads start
 * on first use; a request goes to the least busy one; a thread that dies fails its requests in flight with
 * ERR_CREDENTIAL_SIGNING_FAILED and is replaced on the next request.
 */
export function createSigningPool(options: SigningPoolOptions): SigningPool {
  const threads = Math.max(1, Math.floor(options.threads));
  const queueLimit = options.queueLimit ?? 1024;
  const entry = workerEntry();
  const slots: Slot[] = Array.from({ length: threads }, () => ({ worker: undefined, inFlight: new Map() }));
  const queue: Pending[] = [];
  let nextId = 1;
  let closing: Promise<void> | undefined;

  function start(slot: Slot): Worker {
    const worker = new Worker(entry.url, {
      execArgv: entry.execArgv,
      ...(options.maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } } : {}),
    });
    let crash: Error | undefined;
    worker.on('message', (reply: SignReply) => settle(slot, reply));
    // Without an 'error' listener a thread's uncaught error would be thrown on the main thread.
    worker.on('error', (error) => {
      crash = error;
    });
    worker.on('exit', (code) => {
      if (slot.worker === worker) slot.worker = undefined;
      const lost = [...slot.inFlight.values()];
      slot.inFlight.clear();
      const failure = new AppError(
        'ERR_CREDENTIAL_SIGNING_FAILED',
        `A signing thread exited (code ${code})`,
        {
          cause: crash,
        },
      );
      for (const pending of lost) pending.reject(failure);
      if (closing) return;
      // Threads only stop when close() terminates them: any other exit is a crash (uncaught error, out of memory).
      options.onCrash?.(failure);
      dispatch();
    });
    return worker;
  }

  function settle(slot: Slot, reply: SignReply): void {
    const pending = slot.inFlight.get(reply.id);
    if (!pending) return;
    slot.inFlight.delete(reply.id);
    if ('signed' in reply) pending.resolve(reply.signed);
    else pending.reject(toAppError(reply.error));
    // An idle thread must not keep the process alive (a CLI command that forgot close() still exits).
    if (slot.inFlight.size === 0) slot.worker?.unref();
    dispatch();
  }

  function dispatch(): void {
    while (queue.length > 0 && !closing) {
      const slot = slots.reduce((best, s) => (s.inFlight.size < best.inFlight.size ? s : best));
      if (slot.inFlight.size >= PER_THREAD) return;
      const pending = queue.shift()!;
      slot.worker ??= start(slot);
      slot.worker.ref();
      slot.inFlight.set(pending.request.id, pending);
      slot.worker.postMessage(pending.request);
    }
  }

  return {
    threads,
    sign(credential, key, created) {
      if (closing) return Promise.reject(new AppError('ERR_SHUTTING_DOWN', 'The signing pool is closed'));
      if (queue.length >= queueLimit)
        return Promise.reject(
          new AppError('ERR_CREDENTIAL_SIGNING_BUSY', `More than ${queueLimit} credentials wait for signing`),
        );
      return new Promise<Credential>((resolve, reject) => {
        const request = { id: nextId++, credential, key, created: created.toISOString() };
        queue.push({ request, resolve, reject });
        dispatch();
      });
    },
    close() {
      closing ??= (async () => {
        const refused = new AppError('ERR_SHUTTING_DOWN', 'The signing pool is closed');
        for (const pending of queue.splice(0)) pending.reject(refused);
        const running = slots.flatMap((slot) =>
          [...slot.inFlight.values()].map(
            (pending) =>
              new Promise<void>((done) => {
                const { resolve, reject } = pending;
                pending.resolve = (signed) => {
                  resolve(signed);
                  done();
                };
                pending.reject = (error) => {
                  reject(error);
                  done();
                };
              }),
          ),
        );
        await Promise.all(running);
        await Promise.all(slots.map((slot) => slot.worker?.terminate()));
      })();
      return closing;
    },
  };
}
