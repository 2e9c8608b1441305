import { readActivity } from './activity.js';
import { readActor, readAgent, readGroup } from './actor.js';
import {
  array,
  boolean,
  extensions,
  fail,
  iri,
  join,
  keys,
  number,
  object,
  onlyKeys,
  string,
  uuid,
} from './check.js';
import { isDuration, isLanguageTag } from './formats.js';
import type { ValidateOptions } from './statement.js';
import type {
  Activity,
  Context,
  ContextActivities,
  ContextAgent,
  ContextGroup,
  Result,
  Score,
  StatementObject,
  StatementRef,
} from './types.js';

const refKeys = keys('objectType', 'id');
const resultKeys = keys('score', 'success', 'completion', 'response', 'duration', 'extensions');
const scoreKeys = keys('scaled', 'raw', 'min', 'max');
const contextKeys10 = keys(
  'registration',
  'instructor',
  'team',
  'contextActivities',
  'revision',
  'platform',
  'language',
  'statement',
  'extensions',
);
const contextKeys20 = new Set([...contextKeys10, 'contextAgents', 'contextGroups']);
const contextActivityKeys = keys('parent', 'grouping', 'category', 'other');
const contextAgentKeys = keys('objectType', 'agent', 'relevantTypes');
const contextGroupKeys = keys('objectType', 'group', 'relevantTypes');

export function readStatementRef(value: unknown, path: string): StatementRef {
  const input = object(value, path);
  onlyKeys(input, refKeys, path);
  if (input.objectType !== 'StatementRef') fail(join(path, 'objectType'), 'must be "StatementRef"');
  if (input.id === undefined) fail(join(path, 'id'), 'is required in a StatementRef');
  return { objectType: 'StatementRef', id: uuid(input.id, join(path, 'id')) };
}

export function readResult(value: unknown, path: string): Result {
  const input = object(value, path);
  onlyKeys(input, resultKeys, path);
  const result: Result = {};
  if (input.score !== undefined) result.score = readScore(input.score, join(path, 'score'));
  if (input.success !== undefined) result.success = boolean(input.success, join(path, 'success'));
  if (input.completion !== undefined) result.completion = boolean(input.completion, join(path, 'completion'));
  if (input.response !== undefined) result.response = string(input.response, join(path, 'response'));
  if (input.duration !== undefined) {
    const duration = string(input.duration, join(path, 'duration'));
    if (!isDuration(duration)) fail(join(path, 'duration'), 'must be an ISO 8601 duration');
    result.duration = duration;
  }
  if (input.extensions !== undefined)
    result.extensions = extensions(input.extensions, join(path, 'extensions'));
  return result;
}

/** scaled in [-1, 1]; min < max; raw within [min, max] (Data 2.4.5.1). */
function readScore(value: unknown, path: string): Score {
  const input = object(value, path);
  onlyKeys(input, scoreKeys, path);
  const score: Score = {};
  for (const key of ['scaled', 'raw', 'min', 'max'] as const) {
    if (input[key] !== undefined) score[key] = number(input[key], join(path, key));
  }
  const { scaled, raw, min, max } = score;
  if (scaled !== undefined && (scaled < -1 || scaled > 1))
    fail(join(path, 'scaled'), 'must be between -1 and 1');
  if (min !== undefined && max !== undefined && min >= max) fail(join(path, 'min'), 'must be less than max');
  if (raw !== undefined && min !== undefined && raw < min)
    fail(join(path, 'raw'), 'must not be less than min');
  if (raw !== undefined && max !== undefined && raw > max)
    fail(join(path, 'raw'), 'must not be greater than max');
  return score;
}

export function readContext(
  value: unknown,
  path: string,
  target: StatementObject,
  options: ValidateOptions,
): Context {
  const input = object(value, path);
  onlyKeys(input, options.version === '2.0.0' ? contextKeys20 : contextKeys10, path);
  const context: Context = {};
  if (input.registration !== undefined)
    context.registration = uuid(input.registration, join(path, 'registration'));
  if (input.instructor !== undefined)
    context.instructor = readActor(input.instructor, join(path, 'instructor'));
  if (input.team !== undefined) context.team = readGroup(input.team, join(path, 'team'));
  if (input.contextActivities !== undefined) {
    context.contextActivities = readContextActivities(
      input.contextActivities,
      join(path, 'contextActivities'),
    );
  }
  if (input.contextAgents !== undefined) {
    context.contextAgents = readContextAgents(input.contextAgents, join(path, 'contextAgents'));
  }
  if (input.contextGroups !== undefined) {
    context.contextGroups = readContextGroups(input.contextGroups, join(path, 'contextGroups'));
  }
  // Data 2.4.6: revision and platform "MUST only be used if the Statement's Object is an Activity".
  const isActivity = target.objectType === undefined || target.objectType === 'Activity';
  for (const key of ['revision', 'platform'] as const) {
    if (input[key] === undefined) continue;
    if (!isActivity) fail(join(path, key), 'may only be used when the object is an Activity');
    context[key] = string(input[key], join(path, key));
  }
  if (input.language !== undefined) {
    const language = string(input.language, join(path, 'language'));
    if (!isLanguageTag(language)) fail(join(path, 'language'), 'must be an RFC 5646 language tag');
    context.language = language;
  }
  if (input.statement !== undefined)
    context.statement = readStatementRef(input.statement, join(path, 'statement'));
  if (input.extensions !== undefined)
    context.extensions = extensions(input.extensions, join(path, 'extensions'));
  return context;
}

/** Each of parent, grouping, category, other: one Activity or an array of them, stored as an array. */
function readContextActivities(value: unknown, path: string): ContextActivities {
  const input = object(value, path);
  onlyKeys(input, contextActivityKeys, path);
  const out: ContextActivities = {};
  for (const key of ['parent', 'grouping', 'category', 'other'] as const) {
    const item = input[key];
    if (item === undefined) continue;
    const at = join(path, key);
    out[key] = Array.isArray(item)
      ? item.map((activity, i): Activity => readActivity(activity, join(at, i)))
      : [readActivity(item, at)];
  }
  return out;
}

function relevantTypes(value: unknown, path: string): string[] {
  const types = array(value, path);
  if (types.length === 0) fail(path, 'must not be empty');
  return types.map((item, i) => iri(item, join(path, i)));
}

/** xAPI 2.0 §4.2.2.5: contextAgents is an array of { objectType: "contextAgent", agent, relevantTypes? }. */
function readContextAgents(value: unknown, path: string): ContextAgent[] {
  return array(value, path).map((item, i) => {
    const at = join(path, i);
    const input = object(item, at);
    onlyKeys(input, contextAgentKeys, at);
    if (input.objectType !== 'contextAgent') fail(join(at, 'objectType'), 'must be "contextAgent"');
    if (input.agent === undefined) fail(join(at, 'agent'), 'is required in a contextAgent');
    const out: ContextAgent = {
      objectType: 'contextAgent',
      agent: readAgent(input.agent, join(at, 'agent')),
    };
    if (input.relevantTypes !== undefined)
      out.relevantTypes = relevantTypes(input.relevantTypes, join(at, 'relevantTypes'));
    return out;
  });
}

function readContextGroups(value: unknown, path: string): ContextGroup[] {
  return array(value, path).map((item, i) => {
    const at = join(path, i);
    const input = object(item, at);
    onlyKeys(input, contextGroupKeys, at);
    if (input.objectType !== 'contextGroup') fail(join(at, 'objectType'), 'must be "contextGroup"');
    if (input.group === undefined) fail(join(at, 'group'), 'is required in a contextGroup');
    const out: ContextGroup = {
      objectType: 'contextGroup',
      group: readGroup(input.group, join(at, 'group')),
    };
    if (input.relevantTypes !== undefined)
      out.relevantTypes = relevantTypes(input.relevantTypes, join(at, 'relevantTypes'));
    return out;
  });
}
