import { describe, expect, it } from '@jest/globals';
import { applyAchievementUpdate, parseNewAchievement } from '../../../src/badges/achievement.js';
import { checkAchievementImage } from '../../../src/badges/image.js';
import { isAppError } from '../../../src/errors.js';

function refusal(svg: string): string | undefined {
  try {
    checkAchievementImage(Buffer.from(svg), 'image/svg+xml');
    return undefined;
  } catch (error) {
    if (!isAppError(error, 'ERR_BADGE_IMAGE_INVALID')) throw error;
    return error.details?.rule as string;
  }
}

const svg = (inner: string, attrs = '') => `<svg xmlns="http://www.w3.org/2000/svg"${attrs}>${inner}</svg>`;

describe('SVG achievement images are refused, not stripped, when they could run, load or expand', () => {
  it.each([
    [svg('<script>alert(1)</script>'), 'script'],
    [svg('<svg:script>alert(1)</svg:script>'), 'script'],
    [svg('<foreignObject><div/></foreignObject>'), 'script'],
    [svg('', ' onload="x()"'), 'event-handler'],
    [svg('<rect ONclick = "x()"/>'), 'event-handler'],
    [svg('<a href="javascript:alert(1)"><text>x</text></a>'), 'script'],
    [svg('<a xlink:href="https://evil.example/"><text>x</text></a>'), 'external'],
    [svg('<use href="other.svg#a"/>'), 'external'],
    [svg('<rect style="fill:url(https://evil.example/p)"/>'), 'external'],
    [svg('<style>@import "https://evil.example/s.css";</style>'), 'external'],
    [svg('<style>rect { fill: \\75 rl(https://evil.example/p) }</style>'), 'external'],
    [svg('<rect style="background: image-set(\'https://evil.example/p.png\' 1x)"/>'), 'external'],
    [svg('<a href="&#106;avascript:alert(1)"><text>x</text></a>'), 'external'],
    [svg('<set attributeName="href" to="https://evil.example"/>'), 'external'],
    ['<?xml version="1.0"?><!DOCTYPE svg SYSTEM "x.dtd"><svg/>', 'entities'],
    ['<?xml-stylesheet href="s.css"?><svg/>', 'external'],
    ['<html><svg/></html>', 'svg-root'],
  ])('%s -> %s', (input, rule) => {
    expect(refusal(input)).toBe(rule);
  });

  it.each([
    svg('<circle r="4" fill="url(#g)"/><use href="#c"/>'),
    `<?xml version="1.0" encoding="UTF-8"?>\n<!-- badge -->\n${svg('<image href="data:image/png;base64,iVBORw0KGgo="/>')}`,
  ])('accepts %s', (input) => {
    expect(refusal(input)).toBeUndefined();
  });

  it('refuses other media types and oversized images', () => {
    expect(() => checkAchievementImage(Buffer.from('GIF89a'), 'image/gif')).toThrow(
      'image/png or image/svg+xml',
    );
    expect(() => checkAchievementImage(Buffer.alloc(257 * 1024), 'image/png')).toThrow('larger than');
  });
});

describe('achievement fields (OB 3.0 Achievement)', () => {
  const input = { name: 'A', description: 'B', criteria: { narrative: 'C' } };

  it('defaults type and lists; refuses unknown keys naming the path', () => {
    expect(parseNewAchievement(input)).toEqual({
      body: { ...input, tags: [], alignment: [], achievementType: 'Badge' },
      library: false,
    });
    expect(() => parseNewAchievement({ ...input, criteria: {} })).toThrow('/criteria');
    expect(() =>
      parseNewAchievement({ ...input, alignment: [{ targetName: 'x', targetUrl: 'ftp://x' }] }),
    ).toThrow('/alignment/0/targetUrl');
  });

  it('an update replaces the fields given and removes the creator with null', () => {
    const body = { ...parseNewAchievement({ ...input, creator: { name: 'Dept' } }).body };
    expect(applyAchievementUpdate(body, { name: 'Z', creator: null })).toEqual({
      ...body,
      name: 'Z',
      creator: undefined,
    });
  });
});
