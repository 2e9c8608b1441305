import { describe, expect, it } from '@jest/globals';
import { parseRule } from '../../../src/badges/index.js';
import { ruleExamples } from '../../../src/ui/course/examples.js';

// The rule editor's one-click examples must be rules the API accepts.
describe('rule editor examples', () => {
  it.each(ruleExamples.map((e) => [e.label, e.rule] as const))('%s parses', (_label, rule) => {
    expect(() => parseRule(rule)).not.toThrow();
  });
});
