import { readActivity } from './activity.js';
import { ifiKey, readActor, readAgent, readGroup } from './actor.js';
import {
  array,
  boolean,
  extensions,
  fail,
  iri,
  type Json,
  join,
  keys,
  languageMap,
  number,
  object,
  onlyKeys,
  string,
} from './check.js';
import {
  isDuration,
  isLanguageTag,
  isMediaType,
  isSha2Hex,
  isUuid,
  parseTimestamp,
  parseVersion,
  type XapiVersion,
} from './formats.js';
import {
  type Activity,
  type Actor,
  type Attachment,
  type Context,
  type ContextActivities,
  type ContextAgent,
  type ContextGroup,
  type Result,
  type Score,
  type Statement,
  type StatementObject,
  type StatementRef,
  type SubStatement,
  type Verb,
  voidedVerb,
} from './types.js';

export interface ValidateOptions {
  /** The version the request speaks: 2.0 adds contextAgents and contextGroups. */
  version: XapiVersion;
}

const statementKeys = keys(
  'id',
  'actor',
  'verb',
  'object',
  'result',
  'context',
  'timestamp',
  'stored',
  'authority',
  'version',
  'attachments',
);
const subStatementKeys = keys(
  'objectType',
  'actor',
  'verb',
  'object',
  'result',
  'context',
  'timestamp',
  'attachments',
);
const verbKeys = keys('id', 'display');
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
const attachmentKeys = keys(
  'usageType',
  'display',
  'description',
  'contentType',
  'length',
  'sha2',
  'fileUrl',
);

/**
 * Validates one statement against the xAPI Data chapter (1.0.3 Data 2, 2.0 §4.2) and returns a normalized
 * copy (contextActivities as arrays). Unknown properties are refused.
 * @throws AppError ERR_XAPI_INVALID_STATEMENT naming the field path and the rule.
 */
export function validateStatement(value: unknown, options: ValidateOptions): Statement {
  const input = object(value, '');
  onlyKeys(input, statementKeys, '');
  const statement = readCore(input, '', options) as Statement;
  if (input.id !== undefined) statement.id = uuid(input.id, 'id');
  if (input.stored !== undefined) statement.stored = timestamp(input.stored, 'stored');
  if (input.authority !== undefined) statement.authority = readAuthority(input.authority);
  if (input.version !== undefined) {
    const version = string(input.version, 'version');
    if (!parseVersion(version)) fail('version', 'must be 1.0.x or 2.0.x');
    statement.version = version;
  }
  if (statement.verb.id === voidedVerb && statement.object.objectType !== 'StatementRef') {
    fail('object', 'a voiding statement (verb voided) must have a StatementRef object');
  }
  return statement;
}

/** Validates a POST body: one statement or an array of them (empty arrays refused). */
export function validateStatements(value: unknown, options: ValidateOptions): Statement[] {
  if (!Array.isArray(value)) return [validateStatement(value, options)];
  if (value.length === 0) fail('', 'must be a statement or a non-empty array of statements');
  return value.map((item, i) => {
    try {
      return validateStatement(item, options);
    } catch (error) {
      throw prefixPath(error, `[${i}]`);
    }
  });
}

function prefixPath(error: unknown, prefix: string): unknown {
  const details = (error as { details?: { path?: string; rule?: string } }).details;
  if (!details?.path || !details.rule) return error;
  const path = details.path === '$' ? prefix : `${prefix}.${details.path}`;
  try {
    fail(path, details.rule);
  } catch (prefixed) {
    return prefixed;
  }
}

/** actor, verb, object, result, context, timestamp, attachments: shared by Statements and SubStatements. */
function readCore(input: Json, path: string, options: ValidateOptions): Omit<SubStatement, 'objectType'> {
  for (const required of ['actor', 'verb', 'object'] as const) {
    if (input[required] === undefined) fail(join(path, required), 'is required');
  }
  const object = readObject(input.object, join(path, 'object'), path !== '', options);
  const core: Omit<SubStatement, 'objectType'> = {
    actor: readActor(input.actor, join(path, 'actor')),
    verb: readVerb(input.verb, join(path, 'verb')),
    object: object as SubStatement['object'],
  };
  if (input.result !== undefined) core.result = readResult(input.result, join(path, 'result'));
  if (input.context !== undefined) {
    core.context = readContext(input.context, join(path, 'context'), object, options);
  }
  if (input.timestamp !== undefined) core.timestamp = timestamp(input.timestamp, join(path, 'timestamp'));
  if (input.attachments !== undefined)
    core.attachments = readAttachments(input.attachments, join(path, 'attachments'));
  return core;
}

/**
 * Data 2.4.9: an authority is an Agent, or (OAuth 3-legged) an anonymous Group of exactly two Agents.
 */
function readAuthority(value: unknown): Actor {
  const authority = readActor(value, 'authority');
  if (authority.objectType === 'Group') {
    if (ifiKey(authority) !== undefined)
      fail('authority', 'a Group authority must be anonymous (OAuth consumer and user)');
    if (authority.member?.length !== 2) fail('authority.member', 'a Group authority has exactly two Agents');
  }
  return authority;
}

function uuid(value: unknown, path: string): string {
  const text = string(value, path);
  if (!isUuid(text)) fail(path, 'must be a UUID (RFC 4122)');
  return text;
}

function timestamp(value: unknown, path: string): string {
  const text = string(value, path);
  if (parseTimestamp(text) === undefined) {
    fail(path, 'must be an ISO 8601 timestamp with a timezone (not -00:00)');
  }
  return text;
}

function readVerb(value: unknown, path: string): Verb {
  const input = object(value, path);
  onlyKeys(input, verbKeys, path);
  if (input.id === undefined) fail(join(path, 'id'), 'is required in a Verb');
  const verb: Verb = { id: iri(input.id, join(path, 'id')) };
  if (input.display !== undefined) verb.display = languageMap(input.display, join(path, 'display'));
  return verb;
}

function readObject(
  value: unknown,
  path: string,
  nested: boolean,
  options: ValidateOptions,
): StatementObject {
  const input = object(value, path);
  switch (input.objectType) {
    case undefined:
    case 'Activity':
      return readActivity(input, path);
    case 'Agent':
      return readAgent(input, path);
    case 'Group':
      return readGroup(input, path);
    case 'StatementRef':
      return readStatementRef(input, path);
    case 'SubStatement':
      if (nested) fail(join(path, 'objectType'), 'a SubStatement must not contain a SubStatement');
      return readSubStatement(input, path, options);
    default:
      return fail(join(path, 'objectType'), 'must be Activity, Agent, Group, StatementRef or SubStatement');
  }
}

function readStatementRef(value: unknown, path: string): StatementRef {
  const input = object(value, path);
  onlyKeys(input, refKeys, path);
  if (input.objectType !== 'StatementRef') fail(join(path, 'objectType'), 'must be "StatementRef"');
  if (input.id === undefined) fail(join(path, 'id'), 'is required in a StatementRef');
  return { objectType: 'StatementRef', id: uuid(input.id, join(path, 'id')) };
}

/** A SubStatement has no id, stored, version or authority, and no SubStatement object (Data 2.4.4.3). */
function readSubStatement(input: Json, path: string, options: ValidateOptions): SubStatement {
  onlyKeys(input, subStatementKeys, path);
  return { objectType: 'SubStatement', ...readCore(input, path, options) };
}

function readResult(value: unknown, path: string): Result {
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

function readContext(
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

/** Attachment metadata (Data 2.4.11): usageType, display, contentType, length and sha2 are required. */
function readAttachments(value: unknown, path: string): Attachment[] {
  return array(value, path).map((item, i) => {
    const at = join(path, i);
    const input = object(item, at);
    onlyKeys(input, attachmentKeys, at);
    for (const required of ['usageType', 'display', 'contentType', 'length', 'sha2'] as const) {
      if (input[required] === undefined) fail(join(at, required), 'is required in an Attachment');
    }
    const contentType = string(input.contentType, join(at, 'contentType'));
    if (!isMediaType(contentType)) fail(join(at, 'contentType'), 'must be an Internet Media Type');
    const length = number(input.length, join(at, 'length'));
    if (!Number.isInteger(length) || length < 0) fail(join(at, 'length'), 'must be a non-negative integer');
    const sha2 = string(input.sha2, join(at, 'sha2'));
    if (!isSha2Hex(sha2)) fail(join(at, 'sha2'), 'must be a hex SHA-2 hash');
    const attachment: Attachment = {
      usageType: iri(input.usageType, join(at, 'usageType')),
      display: languageMap(input.display, join(at, 'display')),
      contentType,
      length,
      sha2,
    };
    if (input.description !== undefined)
      attachment.description = languageMap(input.description, join(at, 'description'));
    if (input.fileUrl !== undefined) attachment.fileUrl = iri(input.fileUrl, join(at, 'fileUrl'));
    return attachment;
  });
}
