import { isUuid, parseTimestamp } from './formats.js';
import type { Statement } from './types.js';

// Keys that name UUIDs (compared case-insensitively) and timestamps (compared as instants).
const uuidKeys = new Set(['id', 'registration']);
const timestampKeys = new Set(['timestamp']);
// Data 2.3.1 (Statement Immutability): the LRS does not consider these when comparing.
const ignoredTopLevel = new Set(['authority', 'stored', 'version']);

/**
 * True when two statements are the same statement per the equivalence rules (1.0.3 Data 2.3.1, 2.0
 * §4.2.4.2): ignoring authority, stored and version, property order, default objectTypes ("Activity",
 * "Agent"), UUID case, timestamp format of the same instant, the order of a Group's members and duration
 * precision beyond 0.01 s (2.0 §4.2.7).
 */
export function statementsEquivalent(a: Statement, b: Statement): boolean {
  return canonical(a, true) === canonical(b, true);
}

function canonical(value: unknown, top = false, key = ''): string {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item));
    if (key === 'member') items.sort();
    return `[${items.join(',')}]`;
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string' && timestampKeys.has(key)) return String(parseTimestamp(value) ?? value);
    if (typeof value === 'string' && key === 'duration') return JSON.stringify(truncateDuration(value));
    if (typeof value === 'string' && uuidKeys.has(key) && isUuid(value))
      return JSON.stringify(value.toLowerCase());
    return JSON.stringify(value);
  }
  const entries: string[] = [];
  for (const name of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[name];
    if (top && ignoredTopLevel.has(name)) continue;
    if (name === 'objectType' && (item === 'Activity' || item === 'Agent')) continue;
    if (key === 'extensions') {
      entries.push(`${JSON.stringify(name)}:${JSON.stringify(sortKeys(item))}`);
      continue;
    }
    entries.push(`${JSON.stringify(name)}:${canonical(item, false, name)}`);
  }
  return `{${entries.join(',')}}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(value).sort())
    out[name] = sortKeys((value as Record<string, unknown>)[name]);
  return out;
}

/** Seconds of a duration truncated to hundredths, trailing zeros dropped ("PT1.2399S" -> "PT1.23S"). */
function truncateDuration(duration: string): string {
  return duration.replace(/(\d+)\.(\d+)S$/, (_match, whole: string, fraction: string) => {
    const kept = fraction.slice(0, 2).replace(/0+$/, '');
    return kept ? `${whole}.${kept}S` : `${whole}S`;
  });
}
