import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { commands } from '../../src/cli/commands.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('gives the two commands of the quick start', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it.each(Object.keys(commands))('documents `laurel %s` in the command table', (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`laurel ${name}[ \`]`, 'm'));
  });

  it('links only documents that exist', () => {
    for (const [, target] of readme.matchAll(/\]\(((?:docs|plugin)\/[^)#]+)/g)) {
      expect(() => readFileSync(new URL(`../../${target}`, import.meta.url))).not.toThrow();
    }
  });
});
