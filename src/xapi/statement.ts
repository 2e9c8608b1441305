import { readActivity } from './activity.js';
import { ifiKey, readActor, readAgent, readGroup } from './actor.js';
import {
  array,
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
  timestamp,
  uuid,
} from './check.js';
import { readContext, readResult, readStatementRef } from './context.js';
import { isMediaType, isSha2Hex, parseVersion, type XapiVersion } from './formats.js';
import {
  type Actor,
  type Attachment,
  type Statement,
  type StatementObject,
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

/** A SubStatement has no id, stored, version or authority, and no SubStatement object (Data 2.4.4.3). */
function readSubStatement(input: Json, path: string, options: ValidateOptions): SubStatement {
  onlyKeys(input, subStatementKeys, path);
  return { objectType: 'SubStatement', ...readCore(input, path, options) };
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
