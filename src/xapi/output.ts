import type { Activity, Actor, Context, Statement, StatementObject, SubStatement } from './types.js';

/** The `format` parameter of GET statements (Communication 2.1.3). */
export type StatementFormat = 'exact' | 'ids' | 'canonical';

/** Shapes a stored statement for a GET response. `languages` comes from Accept-Language (canonical). */
export function formatStatement<T extends Statement>(
  statement: T,
  format: StatementFormat,
  languages: string[],
): T {
  if (format === 'ids') return idsStatement(statement);
  if (format === 'canonical') return canonicalValue(statement, languages, '') as T;
  return statement;
}

/** format=ids: Agents/Groups keep only their IFI (and objectType); Activities and Verbs only their id. */
function idsStatement<T extends Statement | SubStatement>(statement: T): T {
  const out = { ...statement } as T;
  out.actor = idsActor(statement.actor);
  out.verb = { id: statement.verb.id };
  out.object = idsObject(statement.object) as T['object'];
  if (statement.context) out.context = idsContext(statement.context);
  if ('authority' in statement && statement.authority)
    (out as Statement).authority = idsActor(statement.authority);
  return out;
}

function idsActor<A extends Actor>(actor: A): A {
  const out: Record<string, unknown> = {};
  if (actor.objectType) out.objectType = actor.objectType;
  for (const key of ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const) {
    if (actor[key] !== undefined) out[key] = actor[key];
  }
  if (
    actor.objectType === 'Group' &&
    actor.member &&
    out.mbox === undefined &&
    Object.keys(out).length === 1
  ) {
    out.member = actor.member.map(idsActor);
  }
  return out as A;
}

function idsActivity(activity: Activity): Activity {
  return { id: activity.id };
}

function idsObject(object: StatementObject): StatementObject {
  switch (object.objectType) {
    case 'Agent':
    case 'Group':
      return idsActor(object);
    case 'StatementRef':
      return object;
    case 'SubStatement':
      return idsStatement(object);
    default:
      return idsActivity(object as Activity);
  }
}

function idsContext(context: Context): Context {
  const out: Context = { ...context };
  if (context.instructor) out.instructor = idsActor(context.instructor);
  if (context.team) out.team = idsActor(context.team);
  if (context.contextActivities) {
    const lists = context.contextActivities;
    out.contextActivities = {};
    for (const key of ['parent', 'grouping', 'category', 'other'] as const) {
      const list = lists[key];
      if (list) out.contextActivities[key] = list.map(idsActivity);
    }
  }
  if (context.contextAgents)
    out.contextAgents = context.contextAgents.map((a) => ({ ...a, agent: idsActor(a.agent) }));
  if (context.contextGroups)
    out.contextGroups = context.contextGroups.map((g) => ({ ...g, group: idsActor(g.group) }));
  return out;
}

// Language Maps are `display`, `description`, and `name` when it is an object (an Agent's name is a string).
const languageMapKeys = new Set(['display', 'description', 'name']);

/** format=canonical: each Language Map keeps the one entry best matching the requested languages. */
function canonicalValue(value: unknown, languages: string[], key: string): unknown {
  if (Array.isArray(value)) return value.map((item) => canonicalValue(item, languages, ''));
  if (value === null || typeof value !== 'object') return value;
  const map = value as Record<string, unknown>;
  if (languageMapKeys.has(key)) return pickLanguage(map, languages);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(map)) {
    out[name] = name === 'extensions' ? map[name] : canonicalValue(map[name], languages, name);
  }
  return out;
}

function pickLanguage(map: Record<string, unknown>, languages: string[]): Record<string, unknown> {
  const tags = Object.keys(map);
  if (tags.length <= 1) return map;
  for (const wanted of languages) {
    const lower = wanted.toLowerCase();
    const exact = tags.find((tag) => tag.toLowerCase() === lower);
    if (exact) return { [exact]: map[exact] };
    const prefix = tags.find((tag) => tag.toLowerCase().split('-')[0] === lower.split('-')[0]);
    if (prefix) return { [prefix]: map[prefix] };
  }
  const first = tags[0]!;
  return { [first]: map[first] };
}

/** Reads Accept-Language into tags by preference (q values honoured, `*` dropped). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((item) => item.tag && item.tag !== '*' && item.q > 0)
    .sort((a, b) => b.q - a.q)
    .map((item) => item.tag);
}

/**
 * The Activity as the Activities resource returns it (Communication 2.5): every definition seen, newest
 * first, merged; Language Maps gain the languages older statements add.
 */
export function mergeActivityDefinitions(activityId: string, newestFirst: readonly Activity[]): Activity {
  const merged: Record<string, unknown> = {};
  for (const activity of [...newestFirst].reverse()) {
    if (activity.id !== activityId || !activity.definition) continue;
    for (const [key, value] of Object.entries(activity.definition)) {
      const previous = merged[key];
      const isMap = key === 'name' || key === 'description' || key === 'extensions';
      merged[key] =
        isMap && previous && typeof previous === 'object'
          ? { ...(previous as object), ...(value as object) }
          : value;
    }
  }
  return Object.keys(merged).length > 0
    ? { objectType: 'Activity', id: activityId, definition: merged }
    : { objectType: 'Activity', id: activityId };
}
