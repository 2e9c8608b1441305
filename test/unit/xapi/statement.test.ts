import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../../src/errors.js';
import { statementsEquivalent, validateStatement, validateStatements } from '../../../src/xapi/index.js';

const base = () => ({
  id: 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0',
  actor: { objectType: 'Agent', name: 'Ada', mbox: 'mailto:ada@example.edu' },
  verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
  object: {
    objectType: 'Activity',
    id: 'https://moodle.example.edu/course/view.php?id=12',
    definition: { name: { en: 'Algebra' }, type: 'http://adlnet.gov/expapi/activities/course' },
  },
  result: {
    completion: true,
    success: true,
    score: { scaled: 0.9, raw: 90, min: 0, max: 100 },
    duration: 'PT4H35M59.14S',
  },
  context: {
    registration: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7',
    contextActivities: { parent: { id: 'https://moodle.example.edu/course/12' } },
    platform: 'Moodle',
    language: 'en-US',
  },
  timestamp: '2026-01-15T10:00:00.000Z',
});

type Mutate = (s: any) => void;
const v1 = { version: '1.0.3' as const };
const v2 = { version: '2.0.0' as const };

function rejects(mutate: Mutate, path: string, options: { version: '1.0.3' | '2.0.0' } = v2): void {
  const statement: any = base();
  mutate(statement);
  try {
    validateStatement(statement, options);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('ERR_XAPI_INVALID_STATEMENT');
    expect(appError.status).toBe(400);
    expect(appError.details?.path).toBe(path);
    expect(appError.message).toContain(path);
    return;
  }
  throw new Error(`accepted a statement that should fail at ${path}`);
}

function accepts(mutate: Mutate, options = v2): void {
  const statement: any = base();
  mutate(statement);
  validateStatement(statement, options);
}

describe('statement structure', () => {
  it('accepts a complete statement and normalizes contextActivities to arrays', () => {
    const out = validateStatement(base(), v2);
    expect(out.context?.contextActivities?.parent).toEqual([{ id: 'https://moodle.example.edu/course/12' }]);
  });
  it.each([
    ['actor', (s: any) => delete s.actor],
    ['verb', (s: any) => delete s.verb],
    ['object', (s: any) => delete s.object],
  ])('requires %s', (path, mutate) => rejects(mutate, path));
  it('refuses unknown properties at every level', () => {
    rejects((s) => {
      s.foo = 1;
    }, 'foo');
    rejects((s) => {
      s.verb.foo = 1;
    }, 'verb.foo');
    rejects((s) => {
      s.object.definition.foo = 1;
    }, 'object.definition.foo');
    rejects((s) => {
      s.result.score.foo = 1;
    }, 'result.score.foo');
    rejects((s) => {
      s.context.foo = 1;
    }, 'context.foo');
  });
  it('refuses null anywhere except inside extensions', () => {
    rejects((s) => {
      s.context = null;
    }, 'context');
    rejects((s) => {
      s.actor.name = null;
    }, 'actor.name');
    accepts((s) => {
      s.result.extensions = { 'http://example.com/x': null };
    });
  });
  it('refuses wrong types even when the string holds a number or boolean', () => {
    rejects((s) => {
      s.result.score.raw = '90';
    }, 'result.score.raw');
    rejects((s) => {
      s.result.success = 'true';
    }, 'result.success');
  });
  it('refuses a non-UUID id', () =>
    rejects((s) => {
      s.id = 'not-a-uuid';
    }, 'id'));
  it('accepts a batch and names the index of the bad one', () => {
    const bad: any = base();
    bad.verb.id = 'nope';
    expect(() => validateStatements([base(), bad], v2)).toThrow(/\[1\]\.verb\.id/);
    expect(() => validateStatements([], v2)).toThrow(AppError);
  });
});

describe('actor, agents, groups and IFIs', () => {
  it('requires exactly one IFI on an Agent', () => {
    rejects((s) => delete s.actor.mbox, 'actor');
    rejects((s) => {
      s.actor.openid = 'http://openid.example.com/ada';
    }, 'actor');
  });
  it('checks each IFI format', () => {
    rejects((s) => {
      s.actor.mbox = 'ada@example.edu';
    }, 'actor.mbox');
    rejects((s) => {
      s.actor = { mbox_sha1sum: 'xyz' };
    }, 'actor.mbox_sha1sum');
    rejects((s) => {
      s.actor = { openid: 'not an iri' };
    }, 'actor.openid');
    rejects((s) => {
      s.actor = { account: { name: 'ada' } };
    }, 'actor.account.homePage');
    rejects((s) => {
      s.actor = { account: { homePage: 'http://x.example' } };
    }, 'actor.account.name');
    rejects((s) => {
      s.actor = { account: { homePage: 'http://x.example', name: 'a', extra: 1 } };
    }, 'actor.account.extra');
    accepts((s) => {
      s.actor = { account: { homePage: 'https://moodle.example.edu', name: '42' } };
    });
    accepts((s) => {
      s.actor = { mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9' };
    });
  });
  it('anonymous groups list members; identified groups have one IFI; members are Agents', () => {
    accepts((s) => {
      s.actor = { objectType: 'Group', member: [{ mbox: 'mailto:a@example.com' }] };
    });
    rejects((s) => {
      s.actor = { objectType: 'Group' };
    }, 'actor.member');
    accepts((s) => {
      s.actor = { objectType: 'Group', mbox: 'mailto:team@example.com' };
    });
    rejects((s) => {
      s.actor = { objectType: 'Group', mbox: 'mailto:t@example.com', openid: 'http://o.example/t' };
    }, 'actor');
    rejects((s) => {
      s.actor = { objectType: 'Group', member: [{ objectType: 'Group', mbox: 'mailto:t@example.com' }] };
    }, 'actor.member[0]');
    rejects((s) => {
      s.actor = { objectType: 'Person', mbox: 'mailto:a@example.com' };
    }, 'actor.objectType');
  });
});

describe('verb', () => {
  it('needs an IRI id and a language map display', () => {
    rejects((s) => {
      s.verb.id = 'completed';
    }, 'verb.id');
    rejects((s) => delete s.verb.id, 'verb.id');
    rejects((s) => {
      s.verb.display = { 'not a tag!': 'x' };
    }, 'verb.display.not a tag!');
    rejects((s) => {
      s.verb.display = { en: 3 };
    }, 'verb.display.en');
  });
  it('voided requires a StatementRef object', () => {
    rejects((s) => {
      s.verb.id = 'http://adlnet.gov/expapi/verbs/voided';
    }, 'object');
    accepts((s) => {
      s.verb.id = 'http://adlnet.gov/expapi/verbs/voided';
      s.object = { objectType: 'StatementRef', id: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7' };
      delete s.context.platform;
    });
  });
});

describe('object', () => {
  it('activities need an IRI id; definitions are checked', () => {
    rejects((s) => delete s.object.id, 'object.id');
    rejects((s) => {
      s.object.definition.type = 'course';
    }, 'object.definition.type');
    rejects((s) => {
      s.object.definition.moreInfo = 'x y';
    }, 'object.definition.moreInfo');
    rejects((s) => {
      s.object.definition.extensions = { notiri: 1 };
    }, 'object.definition.extensions.notiri');
  });
  it('interaction components follow interactionType', () => {
    const choices = [{ id: 'a', description: { en: 'A' } }];
    accepts((s) => Object.assign(s.object.definition, { interactionType: 'choice', choices }));
    rejects((s) => Object.assign(s.object.definition, { choices }), 'object.definition.choices');
    rejects(
      (s) => Object.assign(s.object.definition, { interactionType: 'likert', choices }),
      'object.definition.choices',
    );
    rejects(
      (s) =>
        Object.assign(s.object.definition, { interactionType: 'choice', choices: [...choices, ...choices] }),
      'object.definition.choices[1].id',
    );
    rejects((s) => {
      s.object.definition.interactionType = 'essay';
    }, 'object.definition.interactionType');
    rejects((s) => {
      s.object.definition.correctResponsesPattern = ['a'];
    }, 'object.definition.correctResponsesPattern');
  });
  it('StatementRef takes a UUID id and nothing else', () => {
    const ref = (s: any, extra: object) => {
      s.object = { objectType: 'StatementRef', id: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7', ...extra };
      delete s.context.platform;
    };
    accepts((s) => ref(s, {}));
    rejects((s) => ref(s, { id: 'abc' }), 'object.id');
    rejects((s) => ref(s, { definition: {} }), 'object.definition');
  });
  it('SubStatement: no id/stored/version/authority, no nested SubStatement', () => {
    const sub = (s: any) => {
      s.object = {
        objectType: 'SubStatement',
        actor: base().actor,
        verb: base().verb,
        object: base().object,
      };
      delete s.context.platform;
    };
    accepts(sub);
    rejects((s) => {
      sub(s);
      s.object.id = s.id;
    }, 'object.id');
    rejects((s) => {
      sub(s);
      s.object.stored = s.timestamp;
    }, 'object.stored');
    rejects((s) => {
      sub(s);
      s.object.object = { ...s.object };
    }, 'object.object.objectType');
    rejects((s) => {
      sub(s);
      s.object.timestamp = 'yesterday';
    }, 'object.timestamp');
  });
  it('unknown objectType is refused', () =>
    rejects((s) => {
      s.object.objectType = 'Thing';
    }, 'object.objectType'));
});

describe('result', () => {
  it.each([
    ['result.score.scaled', { scaled: 1.5 }],
    ['result.score.scaled', { scaled: -1.01 }],
    ['result.score.raw', { raw: -1, min: 0, max: 10 }],
    ['result.score.raw', { raw: 11, min: 0, max: 10 }],
    ['result.score.min', { min: 10, max: 10 }],
  ])('score rule at %s (%j)', (path, score) =>
    rejects((s) => {
      s.result.score = score;
    }, path),
  );
  it.each(['PT4H35M59.14S', 'P3Y1M29DT4H35M59.14S', 'P3Y', 'P4W', 'PT16559.14S'])(
    'duration %s is valid',
    (d) =>
      accepts((s) => {
        s.result.duration = d;
      }),
  );
  it.each(['P4W1D', 'P', 'PT', 'P1DT', '4 hours', 'PT1H2H'])('duration %s is invalid', (d) =>
    rejects((s) => {
      s.result.duration = d;
    }, 'result.duration'),
  );
});

describe('context', () => {
  it('registration is a UUID and statement a StatementRef', () => {
    rejects((s) => {
      s.context.registration = 'x';
    }, 'context.registration');
    rejects((s) => {
      s.context.statement = { id: 'ec531277-b57b-4c15-8d91-d292c5b2b8f7' };
    }, 'context.statement.objectType');
  });
  it('revision and platform only when the object is an Activity', () => {
    rejects((s) => {
      s.object = { mbox: 'mailto:b@example.com', objectType: 'Agent' };
    }, 'context.platform');
    rejects((s) => {
      s.object = { mbox: 'mailto:b@example.com', objectType: 'Agent' };
      delete s.context.platform;
      s.context.revision = '2';
    }, 'context.revision');
  });
  it('team is a Group; language is a tag; contextActivities keys are fixed', () => {
    rejects((s) => {
      s.context.team = { mbox: 'mailto:t@example.com' };
    }, 'context.team.objectType');
    rejects((s) => {
      s.context.language = 'english please';
    }, 'context.language');
    rejects((s) => {
      s.context.contextActivities.sibling = [];
    }, 'context.contextActivities.sibling');
    rejects((s) => {
      s.context.contextActivities.parent = [{ id: 'nope' }];
    }, 'context.contextActivities.parent[0].id');
  });
  it('contextAgents and contextGroups exist in 2.0 only and are checked', () => {
    const contextAgents = [{ objectType: 'contextAgent', agent: { mbox: 'mailto:i@example.com' } }];
    accepts((s) => {
      s.context.contextAgents = contextAgents;
    });
    rejects(
      (s) => {
        s.context.contextAgents = contextAgents;
      },
      'context.contextAgents',
      v1,
    );
    rejects((s) => {
      s.context.contextAgents = [{ ...contextAgents[0], relevantTypes: [] }];
    }, 'context.contextAgents[0].relevantTypes');
    rejects((s) => {
      s.context.contextAgents = [{ ...contextAgents[0], objectType: 'Agent' }];
    }, 'context.contextAgents[0].objectType');
    rejects((s) => {
      s.context.contextGroups = [{ objectType: 'contextGroup', group: { objectType: 'Group' } }];
    }, 'context.contextGroups[0].group.member');
  });
});

describe('timestamp, version, attachments', () => {
  it.each([
    '2008-09-15T15:53:00.601+00:00',
    '2026-01-15T10:00:00Z',
    '2026-01-15T10:00:00.123456+05:30',
    '2099-12-31T23:59:59Z',
  ])('timestamp %s is valid', (t) =>
    accepts((s) => {
      s.timestamp = t;
    }),
  );
  it.each([
    'should fail',
    '01/011/2015',
    '2008-09-15T15:53:00.601-00',
    '2008-09-15T15:53:00.601-0000',
    '2008-09-15T15:53:00.601-00:00',
    '2026-02-30T10:00:00Z',
    '2026-01-15T10:00:00',
  ])('timestamp %s is invalid', (t) =>
    rejects((s) => {
      s.timestamp = t;
    }, 'timestamp'),
  );
  it('version is 1.0.x or 2.0.x', () => {
    accepts((s) => {
      s.version = '1.0';
    });
    accepts((s) => {
      s.version = '1.0.9';
    });
    accepts((s) => {
      s.version = '2.0.0';
    });
    rejects((s) => {
      s.version = '0.9.9';
    }, 'version');
    rejects((s) => {
      s.version = '1.1.0';
    }, 'version');
  });
  it('attachment metadata is complete and well-formed', () => {
    const attachment = {
      usageType: 'http://adlnet.gov/expapi/attachments/signature',
      display: { en: 'signature' },
      contentType: 'application/octet-stream',
      length: 12,
      sha2: 'a'.repeat(64),
      fileUrl: 'https://files.example.com/a',
    };
    accepts((s) => {
      s.attachments = [attachment];
    });
    rejects((s) => {
      s.attachments = [{ ...attachment, display: undefined }];
    }, 'attachments[0].display');
    rejects((s) => {
      s.attachments = [{ ...attachment, length: 1.5 }];
    }, 'attachments[0].length');
    rejects((s) => {
      s.attachments = [{ ...attachment, sha2: 'xyz' }];
    }, 'attachments[0].sha2');
    rejects((s) => {
      s.attachments = [{ ...attachment, contentType: 'nothing' }];
    }, 'attachments[0].contentType');
    rejects((s) => {
      s.attachments = [{ ...attachment, usageType: 'sig' }];
    }, 'attachments[0].usageType');
  });
  it('authority is an Agent or an anonymous Group of exactly two Agents (OAuth)', () => {
    const two = [{ mbox: 'mailto:app@example.com' }, { mbox: 'mailto:user@example.com' }];
    accepts((s) => {
      s.authority = { objectType: 'Group', member: two };
    });
    rejects((s) => {
      s.authority = { objectType: 'Group', member: [...two, { mbox: 'mailto:x@example.com' }] };
    }, 'authority.member');
    rejects((s) => {
      s.authority = { objectType: 'Group', mbox: 'mailto:g@example.com', member: two };
    }, 'authority');
  });
  it('authority when sent is an Agent or Group', () => {
    rejects((s) => {
      s.authority = { name: 'no ifi' };
    }, 'authority');
  });
});

describe('equivalence', () => {
  it('ignores stored, authority, version, property order, UUID case and timestamp format', () => {
    const a = validateStatement(base(), v2);
    const b = validateStatement(
      { ...base(), id: base().id.toUpperCase(), timestamp: '2026-01-15T11:00:00+01:00', version: '1.0.0' },
      v2,
    );
    b.stored = '2026-01-16T00:00:00Z';
    expect(statementsEquivalent(a, b)).toBe(true);
  });
  it('compares durations to 0.01 s', () => {
    const a: any = base();
    const b: any = base();
    a.result.duration = 'PT1.2399S';
    b.result.duration = 'PT1.23S';
    expect(statementsEquivalent(validateStatement(a, v2), validateStatement(b, v2))).toBe(true);
    b.result.duration = 'PT1.24S';
    expect(statementsEquivalent(validateStatement(a, v2), validateStatement(b, v2))).toBe(false);
  });
  it('sees a different result', () => {
    const b: any = base();
    b.result.success = false;
    expect(statementsEquivalent(validateStatement(base(), v2), validateStatement(b, v2))).toBe(false);
  });
});
