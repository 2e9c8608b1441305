import { loadConfig } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { openContext, openDatabase, startLaurel } from '../serve.js';
import { migrate, readMigrations } from '../store/index.js';
import { startWorkers } from '../workers.js';
import { withCliContext } from './context.js';
import { credentialsCommand, credentialsUsage } from './credentials.js';
import { lrsKeysUsage, lrsPullUsage, runLrsKeys, runLrsPull } from './lrs-keys.js';
import { keysCommand, keysUsage, platformCommand, platformUsage } from './lti.js';

/** Waits for SIGTERM/SIGINT, then runs `close` once and exits (0, or 1 when closing failed). */
function runUntilSignal(logger: Logger, close: () => Promise<void>): Promise<number> {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return new Promise<number>(() => {});
}

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/** The `laurel` subcommands; `laurel help` lists them from here. */
export const commands: Record<string, Command> = {
  credentials: {
    summary:
      'Verify a credential file, add an issuer, rotate its key, revoke, suspend or unsuspend a credential.',
    usage: credentialsUsage,
    run: (args) => withCliContext((ctx) => credentialsCommand(ctx, args, console.log)),
  },
  'lrs-keys': {
    summary: 'Create LRS credentials (HTTP Basic key and secret) for /xapi.',
    usage: lrsKeysUsage,
    run: runLrsKeys,
  },
  'lrs-pull': {
    summary: 'Register an external LRS to pull xAPI statements from.',
    usage: lrsPullUsage,
    run: runLrsPull,
  },
  serve: {
    summary: 'Start the HTTP server (the default command).',
    usage:
      'laurel serve\n\nStarts Laurel on PORT. Without DATABASE_URL it starts its own PostgreSQL under DATA_DIR.\nSIGTERM or SIGINT stops it gracefully.',
    async run() {
      const laurel = await startLaurel(loadConfig());
      return runUntilSignal(laurel.ctx.logger, laurel.close);
    },
  },
  worker: {
    summary: 'Run the durable job workers without HTTP (scale-out); --once drains the queues and exits.',
    usage:
      'laurel worker [--once]\n\nRuns the job workers (xAPI statements to awards, awards to credentials, roster syncs)\nwithout the HTTP server; `serve` runs them too. --once processes every due job, then exits.',
    async run(args) {
      const { ctx, close } = await openContext(loadConfig());
      const workers = startWorkers(ctx, { start: !args.includes('--once') });
      if (args.includes('--once')) {
        try {
          console.log(`Processed ${await workers.drain()} job(s) on ${workers.queues.join(', ')}`);
          return 0;
        } finally {
          await close();
        }
      }
      ctx.logger.info({ queues: workers.queues }, 'workers running');
      return runUntilSignal(ctx.logger, async () => {
        await workers.stop();
        await close();
      });
    },
  },
  migrate: {
    summary: 'Apply pending database migrations and exit.',
    usage:
      'laurel migrate\n\nApplies every migration in migrations/ not yet applied, each once, in a transaction.\nSafe to run while other instances start: an advisory lock serialises them.',
    async run() {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      const db = await openDatabase(config, logger);
      try {
        const applied = await migrate(db.pool, await readMigrations());
        console.log(applied.length ? `Applied ${applied.join(', ')}` : 'Nothing to apply');
        return 0;
      } finally {
        await db.close();
      }
    },
  },
  keys: {
    summary: 'List or rotate the LTI tool keys (keys list | keys rotate).',
    usage: keysUsage,
    run: (args) => withCliContext((ctx) => keysCommand(ctx, args, console.log)),
  },
  platform: {
    summary: 'Register an LMS by hand or list registered LMSs (platform add | platform list).',
    usage: platformUsage,
    run: (args) => withCliContext((ctx) => platformCommand(ctx, args, console.log)),
  },
};
