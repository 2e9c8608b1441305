// The 1EdTech validator's baked test badges (simple-json.png / simple-json.svg), ../shared/spec/ob3/validator/credentials/.
import { readFileSync } from 'node:fs';
import { expect, it } from '@jest/globals';
import { unbakePng, unbakeSvg, verifyCredential } from '../../../src/credentials/index.js';
import { describeWithSpec, readSpecText, specPath } from './spec.js';

const dir = 'validator/credentials/';
const now = new Date('2026-01-01T00:00:00Z');
// Their key is given in the verificationMethod URL (1EdTech validator compatibility).
const options = { now, acceptUnboundKeys: true };

describeWithSpec('baked badges of the 1EdTech validator', () => {
  it('unbakes simple-json.png and its credential verifies', async () => {
    const text = unbakePng(readFileSync(specPath(`${dir}simple-json.png`)));
    const report = await verifyCredential(text, options);
    expect(report.checks.filter((c) => !c.valid)).toEqual([]);
  });

  it('unbakes simple-json.svg and its credential verifies', async () => {
    const text = unbakeSvg(readSpecText(`${dir}simple-json.svg`));
    const report = await verifyCredential(text, options);
    expect(report.checks.filter((c) => !c.valid)).toEqual([]);
  });

  it('unbakes the JWT badges, which the verifier reports as unsupported', async () => {
    const text = unbakePng(readFileSync(specPath(`${dir}simple-jwt.png`)));
    expect(text).toMatch(/^eyJ/);
    expect((await verifyCredential(text, options)).verified).toBe(false);
  });
});
