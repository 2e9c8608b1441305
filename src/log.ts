import pino from 'pino';
import type { LogLevel } from './config.js';

export type Logger = pino.Logger;

/** Paths never written to logs: credentials, tokens, cookies, keys. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-laurel-session"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.privateKey',
  '*.private_key',
  '*.privateKeyMultibase',
  '*.client_secret',
  '*.id_token',
  '*.access_token',
  '*.registration_token',
  '*.token',
  'config.laurelSecret',
  'config.databaseUrl',
  'config.adminToken',
];

/** Structured JSON logs to stdout (or `destination`), with secrets redacted. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { service: 'laurel' } },
    destination ?? pino.destination({ sync: false }),
  );
}
