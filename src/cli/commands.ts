import { loadConfig } from '../config.js';
import { createLogger } from '../log.js';
import { openDatabase, startLaurel } from '../serve.js';
import { migrate, readMigrations } from '../store/index.js';
import { credentialsCommand, credentialsUsage } from './credentials.js';
import { lrsKeysUsage, lrsPullUsage, runLrsKeys, runLrsPull } from './lrs-keys.js';
import { keysCommand, keysUsage, platformCommand, platformUsage, withCliContext } from './lti.js';

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/** The `laurel` subcommands; `laurel help` lists them from here. */
export const commands: Record<string, Command> = {
  credentials: {
    summary: 'Verify a credential file, add an issuer, rotate its key, revoke a credential.',
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
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        laurel.ctx.logger.info({ signal }, 'shutting down');
        laurel.close().then(
          () => process.exit(0),
          (error) => {
            laurel.ctx.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      return new Promise<number>(() => {});
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
