import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  actorKey,
  linkActor,
  type PlatformIdentity,
  type PlatformUser,
  userKeys,
} from '../../../src/badges/index.js';
import { stored } from './fixtures.js';

const moodle: PlatformIdentity = { issuer: 'http://www.example.org/' };
const users: PlatformUser[] = [
  { userId: 'u-1', sub: '1', email: 'Ada@Example.org' },
  { userId: 'u-2', sub: '2', email: 'grace@example.org' },
  { userId: 'u-3', sub: '3', email: null },
];

describe('linkActor', () => {
  it("links Moodle logstore's account{homePage: site URL, name: user id} to the LTI sub", () => {
    const actor = stored('moodle-course-completed').actor as never;
    expect(linkActor(actor, users, moodle)).toEqual({
      status: 'linked',
      userId: 'u-1',
      via: 'account',
      key: 'account:http://www.example.org 1',
    });
  });

  it.each([
    ['mbox, case-insensitively', { mbox: 'mailto:ada@EXAMPLE.org' }, 'mbox'],
    [
      'mbox_sha1sum of mailto:email',
      { mbox_sha1sum: createHash('sha1').update('mailto:Ada@Example.org').digest('hex') },
      'mbox_sha1sum',
    ],
    [
      'mbox_sha1sum of the lower-cased email',
      { mbox_sha1sum: createHash('sha1').update('mailto:ada@example.org').digest('hex') },
      'mbox_sha1sum',
    ],
  ])('links by email: %s', (_name, actor, via) => {
    expect(linkActor(actor, users, moodle)).toMatchObject({ status: 'linked', userId: 'u-1', via });
  });

  it("links H5P's mbox actor from the fixture", () => {
    const actor = stored('h5p-top-level-completed').actor as never;
    const wordpressUsers = [{ userId: 'u-9', sub: 'abc', email: 'ada@example.org' }];
    expect(linkActor(actor, wordpressUsers, { issuer: 'https://canvas.example' })).toMatchObject({
      userId: 'u-9',
    });
  });

  it('applies per-platform mapping rules', () => {
    const platform: PlatformIdentity = {
      issuer: 'https://canvas.example',
      accountHomePages: ['https://lms.example.edu'],
      mappings: [
        { account: { homePage: 'https://sso.example.edu', name: 'email' } },
        { openid: { prefix: 'https://id.example.edu/u/', name: 'sub' } },
      ],
    };
    const scormWrapperActor = stored('scorm-wrapper-completed').actor as never;
    const learner = [{ userId: 'u-42', sub: 'learner-0042', email: 'l42@example.edu' }];
    expect(linkActor(scormWrapperActor, learner, platform)).toMatchObject({
      status: 'linked',
      userId: 'u-42',
    });
    expect(
      linkActor(
        { account: { homePage: 'https://sso.example.edu/', name: 'l42@example.edu' } },
        learner,
        platform,
      ),
    ).toMatchObject({
      userId: 'u-42',
    });
    expect(linkActor({ openid: 'https://id.example.edu/u/learner-0042' }, learner, platform)).toMatchObject({
      via: 'openid',
    });
  });

  it('does not link an unknown actor, another site, a Group, or an email two users share', () => {
    expect(linkActor({ account: { homePage: 'http://www.example.org', name: '99' } }, users, moodle)).toEqual(
      {
        status: 'unknown',
        key: 'account:http://www.example.org 99',
      },
    );
    expect(
      linkActor({ account: { homePage: 'https://other.example', name: '1' } }, users, moodle).status,
    ).toBe('unknown');
    expect(linkActor({ objectType: 'Group', mbox: 'mailto:ada@example.org' }, users, moodle).status).toBe(
      'unknown',
    );
    const twins = [...users, { userId: 'u-4', sub: '4', email: 'ada@example.org' }];
    expect(linkActor({ mbox: 'mailto:ada@example.org' }, twins, moodle)).toEqual({
      status: 'ambiguous',
      key: 'mbox:mailto:ada@example.org',
      userIds: ['u-1', 'u-4'],
    });
  });

  it('actorKey and userKeys agree on the keys a store can index', () => {
    const keys = userKeys(users[0]!, moodle);
    expect(keys).toContain(actorKey({ account: { homePage: 'HTTP://WWW.EXAMPLE.ORG', name: '1' } })!.key);
    expect(keys).toContain(actorKey({ mbox: 'mailto:ada@example.org' })!.key);
    expect(userKeys(users[2]!, moodle)).toEqual(['account:http://www.example.org 3']);
  });
});
