import { parseDuration } from './duration.js';
import { activityTypes, iris, verbs } from './vocabulary.js';

/** Which emitter a statement comes from, recognised by its context (see docs/rules.md "Emitter traps"). */
export type Emitter = 'moodle' | 'cmi5' | 'h5p' | 'scorm-wrapper' | 'other';

/**
 * Known traps of real emitters. A statement falling into one is not evidence for a condition unless the
 * condition lists the trap in `accept` (docs/rules.md "Emitter traps").
 */
export const trapIds = ['waived', 'h5p-child', 'moodle-quiz-success', 'moodle-scorm-status'] as const;
export type TrapId = (typeof trapIds)[number];

/** One statement reduced to what rules look at; built once per stored statement by `normalizeStatement`. */
export interface EvidenceStatement {
  id: string;
  verb: string;
  /** `object.id` as sent (an activity IRI, or the target id of a StatementRef). */
  objectId: string;
  objectType: string;
  /** The activity the statement is about: the object, or for an attempt the parent it is an attempt of. */
  activityId: string;
  activityType?: string;
  parentIds: string[];
  groupingIds: string[];
  categoryIds: string[];
  registration?: string;
  completion?: boolean;
  success?: boolean;
  /** Score as a fraction 0..1 (see `normalizeScore`). */
  scaled?: number;
  raw?: number;
  durationMs?: number;
  timestampMs: number;
  emitter: Emitter;
  traps: TrapId[];
  /** Set by the store when a later statement voided this one (xAPI Data 2.3.2). */
  voided?: boolean;
  /** For a voiding statement: the id of the statement it voids. */
  voids?: string;
}

type Json = Record<string, unknown>;

/** An xAPI statement as stored by the LRS (already validated there; `id` and `stored` always set). */
export interface StoredStatement {
  id: string;
  actor: unknown;
  verb: { id: string };
  object: Json & { id?: string; objectType?: string; definition?: Json };
  result?: Json;
  context?: Json;
  timestamp?: string;
  stored?: string;
  [key: string]: unknown;
}

function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function activities(context: Json | undefined, key: string): Json[] {
  const value = obj(context?.contextActivities)?.[key];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map(obj).filter((a): a is Json => a !== undefined && typeof a.id === 'string');
}

function typeOf(activity: Json | undefined): string | undefined {
  const type = obj(activity?.definition)?.type;
  return typeof type === 'string' ? type : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function detectEmitter(context: Json | undefined, object: Json, categoryIds: string[]): Emitter {
  if (obj(obj(context?.extensions)?.[iris.moodleInfoExtension])) return 'moodle';
  if (categoryIds.includes(iris.cmi5Category)) return 'cmi5';
  const extensions = obj(obj(object.definition)?.extensions) ?? {};
  if (categoryIds.some((id) => id.startsWith(iris.h5pLibraryPrefix))) return 'h5p';
  if ('http://h5p.org/x-api/h5p-local-content-id' in extensions) return 'h5p';
  if (categoryIds.includes(iris.scormCategory)) return 'scorm-wrapper';
  return 'other';
}

function moodleEvent(context: Json | undefined): string | undefined {
  const name = obj(obj(context?.extensions)?.[iris.moodleInfoExtension])?.event_name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The score as a fraction 0..1. Moodle's logstore sends `scaled` in -1..1 since v4.8 (raw/max before):
 * for its statements the fraction is computed from raw, min and max. Others: `scaled` when sent, else
 * (raw - min) / (max - min) when all three are there.
 */
function normalizeScore(score: Json | undefined, emitter: Emitter): number | undefined {
  const raw = num(score?.raw);
  const min = num(score?.min);
  const max = num(score?.max);
  const fromRange = raw !== undefined && min !== undefined && max !== undefined && max > min;
  const computed = fromRange ? (raw - min) / (max - min) : undefined;
  if (emitter === 'moodle') return computed;
  return num(score?.scaled) ?? computed;
}

function detectTraps(s: {
  verb: string;
  emitter: Emitter;
  event: string | undefined;
  objectExtensions: Json;
  parentIds: string[];
  hasSuccess: boolean;
}): TrapId[] {
  const traps: TrapId[] = [];
  if (s.verb === verbs.waived) traps.push('waived');
  const h5pChild =
    iris.h5pSubContentId in s.objectExtensions || (s.emitter === 'h5p' && s.parentIds.length > 0);
  if (h5pChild) traps.push('h5p-child');
  if (s.event === '\\mod_quiz\\event\\attempt_submitted' && s.hasSuccess) traps.push('moodle-quiz-success');
  if (s.event === '\\mod_scorm\\event\\status_submitted' && s.verb === verbs.completed) {
    traps.push('moodle-scorm-status');
  }
  return traps;
}

/**
 * Reduces a stored xAPI statement to an EvidenceStatement: resolves what it is about (a Moodle quiz attempt is
 * about its quiz), the effective completion/success/score, its emitter and the traps it falls into.
 */
export function normalizeStatement(statement: StoredStatement): EvidenceStatement {
  const context = obj(statement.context);
  const result = obj(statement.result);
  const object = statement.object;
  const verb = statement.verb.id;
  const parents = activities(context, 'parent');
  const parentIds = parents.map((a) => a.id as string);
  const groupingIds = activities(context, 'grouping').map((a) => a.id as string);
  const categoryIds = activities(context, 'category').map((a) => a.id as string);
  const objectType = typeof object.objectType === 'string' ? object.objectType : 'Activity';
  const emitter = detectEmitter(context, object, categoryIds);

  // An attempt is about the activity it attempts: Moodle's quiz attempt names the quiz as first parent.
  let about: Json = object;
  if (typeOf(object) === activityTypes.attempt && parents.length > 0) {
    about = parents.find((p) => typeOf(p) === activityTypes.assessment) ?? parents[0]!;
  }

  const hasCompletion = bool(result?.completion);
  const impliedCompletion = verb === verbs.completed || verb === verbs.satisfied ? true : undefined;
  const impliedSuccess = verb === verbs.passed ? true : verb === verbs.failed ? false : undefined;
  const duration = typeof result?.duration === 'string' ? parseDuration(result.duration) : undefined;
  const timestamp = statement.timestamp ?? statement.stored ?? '';
  const registration = typeof context?.registration === 'string' ? context.registration : undefined;
  const activityType = typeOf(about);
  const normalized: EvidenceStatement = {
    id: statement.id,
    verb,
    objectId: String(object.id ?? ''),
    objectType,
    activityId: String(about.id ?? ''),
    parentIds,
    groupingIds,
    categoryIds,
    completion: hasCompletion ?? impliedCompletion,
    success: bool(result?.success) ?? impliedSuccess,
    scaled: normalizeScore(obj(result?.score), emitter),
    raw: num(obj(result?.score)?.raw),
    durationMs: duration,
    // The LRS always sets `stored`; 0 keeps the sort total should a statement arrive without both.
    timestampMs: Number.isNaN(Date.parse(timestamp)) ? 0 : Date.parse(timestamp),
    emitter,
    traps: detectTraps({
      verb,
      emitter,
      event: moodleEvent(context),
      objectExtensions: obj(obj(object.definition)?.extensions) ?? {},
      parentIds,
      hasSuccess: bool(result?.success) !== undefined,
    }),
  };
  if (activityType !== undefined) normalized.activityType = activityType;
  if (registration !== undefined) normalized.registration = registration;
  if (verb === verbs.voided && objectType === 'StatementRef') normalized.voids = normalized.objectId;
  return stripUndefined(normalized);
}

function stripUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
