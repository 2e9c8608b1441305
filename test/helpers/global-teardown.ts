import { rm } from 'node:fs/promises';
import type { EmbeddedPostgres } from '../../src/store/index.js';

export default async function globalTeardown(): Promise<void> {
  const embedded = (globalThis as { __laurelEmbedded?: EmbeddedPostgres }).__laurelEmbedded;
  if (!embedded) return;
  await embedded.stop();
  await rm(embedded.dataDir, { recursive: true, force: true });
}
