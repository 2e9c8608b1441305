import { loadConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { createLogger } from '../log.js';
import { openContext } from '../serve.js';

/** Where a command writes its lines (console.log in the CLI, an array in tests). */
export type Print = (line: string) => void;

/** Runs `work` with an AppContext over the configured database (migrated), then closes it. */
export async function withCliContext(work: (ctx: AppContext) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const opened = await openContext(config, { logger });
  try {
    return await work(opened.ctx);
  } finally {
    await opened.close();
  }
}
