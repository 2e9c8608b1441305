import type { Clock, NewId } from './clock.js';
import type { Config } from './config.js';
import type { SigningPool } from './credentials/index.js';
import type { Logger } from './log.js';
import type { Migration, Pool } from './store/index.js';

/** What a running Laurel hands to its parts: configuration, the pool, and the injected clock and ids. */
export interface AppContext {
  readonly config: Config;
  readonly pool: Pool;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly newId: NewId;
  /** The instance secret (LAUREL_SECRET or the generated one). */
  readonly secret: string;
  /** The migrations this build expects; /readyz reports any not applied. */
  readonly migrations: readonly Migration[];
  /** The threads that sign credentials (`SIGNING_THREADS`); absent: credentials are signed on the main thread. */
  readonly signing?: SigningPool;
}
