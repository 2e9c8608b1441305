import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApp } from '../../../src/http/app.js';
import { testConfig } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';
import { createLrs, type Lrs, statement } from './setup.js';

let db: TestSchema;
let lrs: Lrs;
let writer: string;
let reader: string;
const V = { 'X-Experience-API-Version': '1.0.3' };

beforeAll(async () => {
  db = await createTestSchema();
  lrs = await createLrs(db);
  writer = await lrs.key(['statements/write', 'statements/read/mine']);
  reader = await lrs.key(['all/read']);
});

afterAll(async () => {
  await db.drop();
});

const post = (body: unknown, auth = writer, headers: Record<string, string> = V) =>
  request(lrs.app)
    .post('/xapi/statements')
    .set(headers)
    .set('Authorization', auth)
    .send(body as object);
const get = (query: string, auth = reader) =>
  request(lrs.app).get(`/xapi/statements${query}`).set(V).set('Authorization', auth);

describe('POST and GET statements', () => {
  it('stores one statement, answers its id, and GET returns it with stored, authority, version', async () => {
    const s = statement();
    const res = await post(s).expect(200);
    expect(res.body).toEqual([s.id]);
    expect(res.headers['x-experience-api-version']).toBe('1.0.3');
    const got = await get(`?statementId=${s.id}`).expect(200);
    expect(got.body.id).toBe(s.id);
    expect(got.body.stored).toBe('2026-01-15T10:00:00.000Z');
    expect(got.body.version).toBe('1.0.0');
    expect(got.body.authority.account.homePage).toBe('https://laurel.test/xapi/');
    expect(got.body.context.contextActivities.grouping).toHaveLength(1);
    expect(got.headers['last-modified']).toBe(new Date('2026-01-15T10:00:00Z').toUTCString());
    expect(got.headers['x-experience-api-consistent-through']).toBeDefined();
  });

  it('stores a batch in order and assigns ids to statements without one', async () => {
    const a = statement();
    const b = statement();
    delete b.id;
    const res = await post([a, b]).expect(200);
    expect(res.body[0]).toBe(a.id);
    expect(res.body[1]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('PUT stores under statementId and answers 204; the same statement again is 204, a different one 409', async () => {
    const s = statement();
    const id = s.id;
    delete s.id;
    const put = (body: unknown) =>
      request(lrs.app)
        .put(`/xapi/statements?statementId=${id}`)
        .set(V)
        .set('Authorization', writer)
        .send(body as object);
    await put(s).expect(204);
    await put(s).expect(204);
    const res = await put({ ...s, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } }).expect(409);
    expect(res.body.error.code).toBe('ERR_XAPI_STATEMENT_CONFLICT');
    await request(lrs.app).put('/xapi/statements').set(V).set('Authorization', writer).send(s).expect(400);
  });

  it('POST of an already stored id: equal -> 200, different -> 409, nothing of the batch written', async () => {
    const s = statement();
    await post(s).expect(200);
    await post(s).expect(200);
    const fresh = statement();
    const res = await post([fresh, { ...s, result: { success: false } }]).expect(409);
    expect(res.body.error.code).toBe('ERR_XAPI_STATEMENT_CONFLICT');
    await get(`?statementId=${fresh.id}`).expect(404);
  });

  it('duplicate ids in one batch -> 400', async () => {
    const s = statement();
    const res = await post([s, s]).expect(400);
    expect(res.body.error.code).toBe('ERR_XAPI_DUPLICATE_ID');
    expect(res.body.error.path).toBe('[1].id');
  });

  it('queries by verb, activity, agent, registration, since/until, with limit and more', async () => {
    const registration = randomUUID();
    const agent = { mbox: `mailto:${randomUUID()}@example.com` };
    const batch = Array.from({ length: 5 }, () =>
      statement({
        actor: agent,
        context: { registration, contextActivities: { parent: { id: 'https://x.example/p' } } },
      }),
    );
    await post(batch).expect(200);
    const byAgent = await get(`?agent=${encodeURIComponent(JSON.stringify(agent))}&limit=2`).expect(200);
    expect(byAgent.body.statements).toHaveLength(2);
    expect(byAgent.body.more).toMatch(/^\/xapi\/statements\?more=/);
    const next = await get(byAgent.body.more.replace('/xapi/statements', '')).expect(200);
    expect(next.body.statements).toHaveLength(2);
    const last = await get(next.body.more.replace('/xapi/statements', '')).expect(200);
    expect(last.body.statements).toHaveLength(1);
    expect(last.body.more).toBe('');
    const seen = [...byAgent.body.statements, ...next.body.statements, ...last.body.statements].map(
      (s: any) => s.id,
    );
    expect(new Set(seen)).toEqual(new Set(batch.map((s) => s.id)));

    const byRegistration = await get(`?registration=${registration}&ascending=true`).expect(200);
    expect(byRegistration.body.statements).toHaveLength(5);
    const byActivity = await get(`?activity=${encodeURIComponent('https://x.example/p')}`).expect(200);
    expect(byActivity.body.statements).toHaveLength(0);
    const related = await get(
      `?activity=${encodeURIComponent('https://x.example/p')}&related_activities=true&registration=${registration}`,
    ).expect(200);
    expect(related.body.statements).toHaveLength(5);
    const future = await get(`?since=2030-01-01T00:00:00Z&registration=${registration}`).expect(200);
    expect(future.body.statements).toHaveLength(0);
  });

  it('format=ids keeps only identifiers; canonical keeps one language', async () => {
    const s = statement({
      verb: { id: 'http://adlnet.gov/expapi/verbs/passed', display: { en: 'passed', de: 'bestanden' } },
    });
    await post(s).expect(200);
    const ids = await get(`?statementId=${s.id}&format=ids`).expect(200);
    expect(ids.body.verb).toEqual({ id: 'http://adlnet.gov/expapi/verbs/passed' });
    expect(ids.body.actor.name).toBeUndefined();
    expect(ids.body.object).toEqual({ id: s.object.id });
    const canonical = await request(lrs.app)
      .get(`/xapi/statements?statementId=${s.id}&format=canonical`)
      .set(V)
      .set('Authorization', reader)
      .set('Accept-Language', 'de')
      .expect(200);
    expect(canonical.body.verb.display).toEqual({ de: 'bestanden' });
  });

  it('HEAD answers the headers without a body', async () => {
    const res = await request(lrs.app)
      .head('/xapi/statements')
      .set(V)
      .set('Authorization', reader)
      .expect(200);
    expect(res.headers['x-experience-api-version']).toBe('1.0.3');
    expect(res.text ?? '').toBe('');
  });
});

describe('voiding', () => {
  it('a voided statement is found only by voidedStatementId; voiding a voiding statement voids nothing', async () => {
    const target = statement();
    await post(target).expect(200);
    const voiding = statement({
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
      object: { objectType: 'StatementRef', id: target.id },
      context: undefined,
    });
    delete voiding.context;
    await post(voiding).expect(200);
    await get(`?statementId=${target.id}`).expect(404);
    const voided = await get(`?voidedStatementId=${target.id}`).expect(200);
    expect(voided.body.id).toBe(target.id);
    const again = { ...voiding, id: randomUUID(), object: { objectType: 'StatementRef', id: voiding.id } };
    await post(again).expect(200);
    await get(`?statementId=${voiding.id}`).expect(200);
  });
});

describe('StatementRef filters', () => {
  it('a filter also returns statements that target a matching statement, even a voided one', async () => {
    const verb = `http://example.com/verbs/${randomUUID()}`;
    const target = statement({ verb: { id: verb } });
    await post(target).expect(200);
    const voiding = statement({
      verb: { id: 'http://adlnet.gov/expapi/verbs/voided' },
      object: { objectType: 'StatementRef', id: target.id },
    });
    delete voiding.context;
    const ref = statement({
      verb: { id: 'http://example.com/verbs/commented' },
      object: { objectType: 'StatementRef', id: voiding.id },
    });
    delete ref.context;
    await post([voiding, ref]).expect(200);
    const res = await get(`?verb=${encodeURIComponent(verb)}`).expect(200);
    expect(res.body.statements.map((s: any) => s.id).sort()).toEqual([voiding.id, ref.id].sort());
  });
});

describe('bad input', () => {
  it('a malformed statement -> 400 naming the field', async () => {
    const res = await post(statement({ verb: { id: 'not an iri' } })).expect(400);
    expect(res.body.error.code).toBe('ERR_XAPI_INVALID_STATEMENT');
    expect(res.body.error.path).toBe('verb.id');
    expect(res.headers['x-experience-api-version']).toBe('1.0.3');
    const batch = await post([statement(), statement({ timestamp: 'yesterday' })]).expect(400);
    expect(batch.body.error.path).toBe('[1].timestamp');
  });

  it('invalid JSON -> 400; not JSON -> 400', async () => {
    await request(lrs.app)
      .post('/xapi/statements')
      .set(V)
      .set('Authorization', writer)
      .set('Content-Type', 'application/json')
      .send('{"actor":')
      .expect(400);
    const res = await request(lrs.app)
      .post('/xapi/statements')
      .set(V)
      .set('Authorization', writer)
      .set('Content-Type', 'text/plain')
      .send('hello')
      .expect(400);
    expect(res.body.error.code).toBe('ERR_XAPI_INVALID_REQUEST');
  });

  it('missing or unsupported version -> 400', async () => {
    const missing = await request(lrs.app)
      .post('/xapi/statements')
      .set('Authorization', writer)
      .send(statement());
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('ERR_XAPI_VERSION');
    expect(missing.headers['x-experience-api-version']).toBe('2.0.0');
    const old = createApp({ ...lrs.ctx, config: testConfig({ XAPI_DEFAULT_VERSION: '1.0.3' }) });
    const missing103 = await request(old).get('/xapi/statements').set('Authorization', reader).expect(400);
    expect(missing103.headers['x-experience-api-version']).toBe('1.0.3');
    await post(statement(), writer, { 'X-Experience-API-Version': '0.95' }).expect(400);
    await post(statement(), writer, { 'X-Experience-API-Version': '2.0.0' }).expect(200);
  });

  it('missing or wrong credentials -> 401 with WWW-Authenticate; wrong scope -> 403', async () => {
    const none = await request(lrs.app).get('/xapi/statements').set(V).expect(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic /);
    const wrong = `Basic ${Buffer.from('lrs_nope:secret').toString('base64')}`;
    await get('', wrong).expect(401);
    const tampered = `${writer.slice(0, -4)}AAAA`;
    await get('', tampered).expect(401);
    await post(statement(), reader).expect(403);
    const writeOnly = await lrs.key(['statements/write']);
    await get('', writeOnly).expect(403);
  });

  it('read/mine sees only its own statements', async () => {
    const other = await lrs.key(['statements/write', 'statements/read/mine']);
    const s = statement();
    await post(s, other).expect(200);
    await get(`?statementId=${s.id}`, writer).expect(404);
    await get(`?statementId=${s.id}`, other).expect(200);
  });

  it('bad query parameters -> 400 naming them', async () => {
    for (const query of [
      '?agent=nope',
      '?verb=x',
      '?limit=-1',
      '?since=yesterday',
      '?format=full',
      '?unknown=1',
      `?statementId=${randomUUID()}&verb=http://x.example/v`,
      '?more=forged.token',
      '?more=a&more=b',
      '?limit=1&limit=2',
    ]) {
      const res = await get(query);
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it('oversized -> 413', async () => {
    const big = statement({ result: { response: 'x'.repeat(6 * 1024 * 1024) } });
    const res = await post(big);
    expect(res.status).toBe(413);
  });

  it('PUT with an id that differs from statementId -> 400', async () => {
    await request(lrs.app)
      .put(`/xapi/statements?statementId=${randomUUID()}`)
      .set(V)
      .set('Authorization', writer)
      .send(statement())
      .expect(400);
  });

  it('wrong method -> 405', async () => {
    await request(lrs.app).delete('/xapi/statements').set(V).set('Authorization', writer).expect(405);
  });
});

describe('protocol', () => {
  it('about needs no version or credentials', async () => {
    const res = await request(lrs.app).get('/xapi/about').expect(200);
    expect(res.body.version).toEqual(['1.0.3', '2.0.0']);
  });

  it('CORS preflight and headers', async () => {
    const res = await request(lrs.app)
      .options('/xapi/statements')
      .set('Origin', 'https://content.example')
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://content.example');
    expect(res.headers['access-control-allow-headers']).toMatch(/X-Experience-API-Version/);
  });

  it('alternate request syntax: POST ?method=PUT with a form body', async () => {
    const s = statement();
    const id = s.id;
    delete s.id;
    await request(lrs.app)
      .post('/xapi/statements?method=PUT')
      .type('form')
      .send({
        statementId: id,
        Authorization: writer,
        'X-Experience-API-Version': '1.0.3',
        'Content-Type': 'application/json',
        content: JSON.stringify(s),
      })
      .expect(204);
    await get(`?statementId=${id}`).expect(200);
  });

  it('the alternate syntax is refused for xAPI 2.0', async () => {
    await request(lrs.app)
      .post('/xapi/statements?method=PUT')
      .type('form')
      .send({
        statementId: randomUUID(),
        Authorization: writer,
        'X-Experience-API-Version': '2.0.0',
        content: '{}',
      })
      .expect(400);
  });
});
