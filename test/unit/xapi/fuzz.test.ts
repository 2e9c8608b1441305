import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AppError } from '../../../src/errors.js';
import { validateStatement, validateStatements } from '../../../src/xapi/index.js';

const seed = () => ({
  id: 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0',
  actor: { objectType: 'Group', name: 'Team', member: [{ mbox: 'mailto:ada@example.edu' }] },
  verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { en: 'answered' } },
  object: {
    id: 'https://h5p.example.edu/q/1',
    definition: {
      interactionType: 'choice',
      choices: [{ id: 'a', description: { en: 'A' } }],
      correctResponsesPattern: ['a'],
    },
  },
  result: {
    score: { scaled: 0.5, raw: 5, min: 0, max: 10 },
    duration: 'PT1M',
    extensions: { 'http://x.example/e': {} },
  },
  context: {
    registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
    contextActivities: {
      parent: [{ id: 'https://h5p.example.edu/q' }],
      category: { id: 'https://w3id.org/xapi/h5p' },
    },
    contextAgents: [
      { objectType: 'contextAgent', agent: { account: { homePage: 'https://m.example', name: '1' } } },
    ],
    language: 'en',
  },
  timestamp: '2026-01-15T10:00:00Z',
  attachments: [
    {
      usageType: 'http://x.example/u',
      display: { en: 'a' },
      contentType: 'text/plain',
      length: 1,
      sha2: 'a'.repeat(64),
    },
  ],
});

// Inputs are what JSON.parse can produce (the edge parses JSON). Every container path of the seed, so mutations land at all depths.
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((key) => paths((value as any)[key], [...prefix, key]))];
}
const containers = paths(seed());
const fieldNames = [...new Set(containers.flat().filter((k): k is string => typeof k === 'string'))];

const mutated = fc
  .tuple(
    fc.constantFrom(...containers),
    fc.oneof(fc.constantFrom(...fieldNames), fc.string(), fc.constant('__proto__')),
    fc.oneof(fc.jsonValue(), fc.constantFrom(null, '', 'mailto:', 'P', -0, 1e308, [], {})),
    fc.boolean(),
  )
  .map(([path, key, value, remove]) => {
    const statement: any = seed();
    let node = statement;
    for (const step of path) node = node[step];
    if (remove) delete node[key];
    // JSON.parse makes "__proto__" an own property; do the same.
    else Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
    return statement;
  });

function expectOnlyOurError(input: unknown, version: '1.0.3' | '2.0.0') {
  try {
    const out = validateStatements(input, { version });
    // What the validator returns must validate again, unchanged.
    const json = JSON.stringify(out);
    expect(JSON.stringify(validateStatements(JSON.parse(json), { version }))).toBe(json);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'ERR_XAPI_INVALID_STATEMENT') throw error;
    if (typeof error.details?.path !== 'string') throw error;
  }
}

describe('statement validator fuzz', () => {
  it('the seed statement is valid', () => {
    expect(() => validateStatement(seed(), { version: '2.0.0' })).not.toThrow();
  });

  it('100,000 generated inputs: accepted, or refused with ERR_XAPI_INVALID_STATEMENT and a path', () => {
    fc.assert(
      fc.property(
        fc.oneof({ weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: fc.jsonValue() }),
        fc.constantFrom('1.0.3' as const, '2.0.0' as const),
        expectOnlyOurError,
      ),
      { numRuns: 100_000, seed: 4 },
    );
  });
});
