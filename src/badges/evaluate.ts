import { parseDuration } from './duration.js';
import { conditionFailures, matchesCondition } from './match.js';
import type { RuleNode, StatementCondition } from './rule.js';
import type { EvidenceStatement } from './statement.js';

/** A learner's result on an LMS line item (AGS `scoreGiven`/`scoreMaximum`), supplied by the caller. */
export interface GradeEvidence {
  /** Stable reference stored as award evidence (e.g. the AGS result id). */
  ref: string;
  lineItemId: string;
  scoreGiven: number;
  scoreMaximum: number;
  timestampMs: number;
}

/** An instructor's manual award of this achievement to the learner. */
export interface ManualEvidence {
  ref: string;
  timestampMs: number;
}

/** Everything known about one learner that a rule may look at. */
export interface LearnerEvidence {
  statements: readonly EvidenceStatement[];
  grades?: readonly GradeEvidence[];
  manual?: readonly ManualEvidence[];
}

export type EvidenceRef =
  | { type: 'statement'; id: string }
  | { type: 'grade'; ref: string }
  | { type: 'manual'; ref: string };

/** Why a node is (not) met: one per rule node, `path` a JSON Pointer into the rule. */
export interface Explain {
  path: string;
  kind: string;
  met: boolean;
  /** Progress: `have` of `need` (statements, activities, children). */
  have: number;
  need: number;
  reason: string;
  evidence: EvidenceRef[];
  children?: Explain[];
  /** For an unmet statement condition: the statement that came closest and what it lacks. */
  nearest?: { statementId: string; failures: string[] };
}

export interface Evaluation {
  met: boolean;
  /** The statements / grades / manual marks that met the rule (empty when not met). */
  evidence: EvidenceRef[];
  explain: Explain;
}

interface Prepared {
  statements: EvidenceStatement[];
  grades: GradeEvidence[];
  manual: ManualEvidence[];
  /** Whether unmet statement conditions look for the nearest miss (explain API), or not (the worker). */
  nearest?: boolean;
}

const byTime =
  <T extends { timestampMs: number }>(key: (item: T) => string) =>
  (a: T, b: T) =>
    a.timestampMs - b.timestampMs || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

/**
 * Canonical evidence: voided statements and voiding statements out, duplicates (same id) once, sorted by
 * (timestamp, id). Evaluation only ever sees this, so input order and duplication cannot change the result.
 */
export function prepareEvidence(evidence: LearnerEvidence): Prepared {
  const grades = uniqueBy(evidence.grades ?? [], (g) => g.ref).sort(byTime((g) => g.ref));
  const manual = uniqueBy(evidence.manual ?? [], (m) => m.ref).sort(byTime((m) => m.ref));
  return { statements: canonicalStatements(evidence.statements), grades, manual };
}

const statementOrder = byTime((s: EvidenceStatement) => s.id);

function canonicalStatements(input: readonly EvidenceStatement[]): EvidenceStatement[] {
  // Fast path: a store reading ORDER BY timestamp, id with no voids hands over canonical evidence already.
  let canonical = true;
  for (let i = 0; i < input.length && canonical; i++) {
    const s = input[i]!;
    canonical =
      s.voids === undefined && s.voided !== true && (i === 0 || statementOrder(input[i - 1]!, s) < 0);
  }
  if (canonical) return input as EvidenceStatement[];
  const voided = new Set(input.flatMap((s) => (s.voids === undefined ? [] : [s.voids])));
  const kept = input.filter((s) => s.voids === undefined && s.voided !== true && !voided.has(s.id));
  return uniqueBy(kept, (s) => s.id).sort(statementOrder);
}

const statementRef = (s: EvidenceStatement): EvidenceRef => ({ type: 'statement', id: s.id });

function refKey(ref: EvidenceRef): string {
  return ref.type === 'statement' ? `s:${ref.id}` : `${ref.type[0]}:${ref.ref}`;
}

function mergeRefs(lists: EvidenceRef[][]): EvidenceRef[] {
  const seen = new Map<string, EvidenceRef>();
  for (const ref of lists.flat()) seen.set(refKey(ref), ref);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ref]) => ref);
}

function node(
  path: string,
  kind: string,
  have: number,
  need: number,
  reason: string,
  evidence: EvidenceRef[],
) {
  const met = have >= need;
  return {
    path,
    kind,
    met,
    have,
    need,
    reason,
    evidence: met ? mergeRefs([evidence]) : [],
  } satisfies Explain;
}

function nearestMiss(condition: StatementCondition, statements: EvidenceStatement[]) {
  let best: { statementId: string; failures: string[] } | undefined;
  for (const s of statements) {
    const failures = conditionFailures(condition, s);
    if (best === undefined || failures.length < best.failures.length) best = { statementId: s.id, failures };
  }
  return best;
}

function evalStatement(condition: StatementCondition, ev: Prepared, path: string): Explain {
  const hit = ev.statements.find((s) => matchesCondition(condition, s));
  if (hit) return node(path, 'statement', 1, 1, `statement ${hit.id} matches`, [statementRef(hit)]);
  const nearest = ev.nearest ? nearestMiss(condition, ev.statements) : undefined;
  const reason = nearest
    ? `no statement matches; nearest ${nearest.statementId} fails ${nearest.failures.join('; ')}`
    : ev.statements.length === 0
      ? 'no statements'
      : 'no statement matches';
  return { ...node(path, 'statement', 0, 1, reason, []), ...(nearest ? { nearest } : {}) };
}

function evalAllOf(children: RuleNode[], ev: Prepared, path: string): Explain {
  const results = children.map((child, i) => evalNode(child, ev, `${path}/${i}`));
  const have = results.filter((r) => r.met).length;
  const explain = node(path, 'allOf', have, children.length, `${have} of ${children.length} met`, []);
  return {
    ...explain,
    evidence: explain.met ? mergeRefs(results.map((r) => r.evidence)) : [],
    children: results,
  };
}

function evalAnyOf(children: RuleNode[], ev: Prepared, path: string): Explain {
  const results = children.map((child, i) => evalNode(child, ev, `${path}/${i}`));
  const first = results.find((r) => r.met);
  const reason = first ? `${first.path} met` : `none of ${children.length} met`;
  return { ...node(path, 'anyOf', first ? 1 : 0, 1, reason, first?.evidence ?? []), children: results };
}

function evalNOfM(spec: Extract<RuleNode, { nOfM: unknown }>['nOfM'], ev: Prepared, path: string): Explain {
  const hits = spec.activities.map((activity) =>
    ev.statements.find((s) => s.activityId === activity && matchesCondition(spec.where ?? {}, s)),
  );
  const done = spec.activities.filter((_, i) => hits[i] !== undefined);
  const missing = spec.activities.filter((_, i) => hits[i] === undefined);
  const evidence = hits
    .filter((h) => h !== undefined)
    .slice(0, spec.n)
    .map(statementRef);
  const reason = `${done.length} of ${spec.n} activities (of ${spec.activities.length})${
    missing.length > 0 ? `; missing ${missing.join(', ')}` : ''
  }`;
  return node(path, 'nOfM', done.length, spec.n, reason, evidence);
}

function evalAtLeast(spec: Extract<RuleNode, { atLeast: unknown }>['atLeast'], ev: Prepared, path: string) {
  const key = (s: EvidenceStatement) =>
    spec.distinct === 'activity'
      ? s.activityId
      : spec.distinct === 'registration'
        ? (s.registration ?? '')
        : s.id;
  const firstPerKey = new Map<string, EvidenceStatement>();
  for (const s of ev.statements) {
    if (spec.distinct === 'registration' && s.registration === undefined) continue;
    if (!firstPerKey.has(key(s)) && matchesCondition(spec.where, s)) firstPerKey.set(key(s), s);
  }
  const have = firstPerKey.size;
  const evidence = [...firstPerKey.values()].slice(0, spec.count).map(statementRef);
  return node(
    path,
    'atLeast',
    have,
    spec.count,
    `${have} of ${spec.count} ${spec.distinct ?? 'statement'}s`,
    evidence,
  );
}

function evalLineItem(
  spec: Extract<RuleNode, { lineItem: unknown }>['lineItem'],
  ev: Prepared,
  path: string,
) {
  const grades = ev.grades.filter((g) => g.lineItemId === spec.id);
  const value = (g: GradeEvidence) =>
    spec.minScaled !== undefined ? (g.scoreMaximum > 0 ? g.scoreGiven / g.scoreMaximum : 0) : g.scoreGiven;
  const threshold = spec.minScaled ?? spec.minScore ?? 0;
  const hit = grades.find((g) => value(g) >= threshold);
  if (hit)
    return node(path, 'lineItem', 1, 1, `grade ${hit.ref}: ${value(hit)} >= ${threshold}`, [
      { type: 'grade', ref: hit.ref },
    ]);
  const best = grades.length > 0 ? Math.max(...grades.map(value)) : undefined;
  // Rounded for people: 0.8 - 0.5 is 0.30000000000000004 in binary floating point.
  const round = (n: number) => Number(n.toPrecision(6));
  const reason =
    best === undefined
      ? `no grade for line item ${spec.id}`
      : `line item ${spec.id}: best grade ${round(best)} < ${threshold} (${round(threshold - best)} short)`;
  return node(path, 'lineItem', 0, 1, reason, []);
}

function evalManual(ev: Prepared, path: string): Explain {
  const mark = ev.manual[0];
  if (mark)
    return node(path, 'manual', 1, 1, `awarded by hand (${mark.ref})`, [{ type: 'manual', ref: mark.ref }]);
  return node(path, 'manual', 0, 1, 'awarded by an instructor only', []);
}

function inWindow(ev: Prepared, from: number, to: number): Prepared {
  const inside = <T extends { timestampMs: number }>(items: T[]) =>
    items.filter((i) => i.timestampMs >= from && i.timestampMs <= to);
  return { ...ev, statements: inside(ev.statements), grades: inside(ev.grades), manual: inside(ev.manual) };
}

/** Met when some window [t, t + duration] starting at an evidence time holds evidence meeting the inner rule. */
function evalWithin(
  spec: Extract<RuleNode, { within: unknown }>['within'],
  ev: Prepared,
  path: string,
): Explain {
  const span = parseDuration(spec.duration) ?? 0;
  const starts = [...new Set([...ev.statements, ...ev.grades, ...ev.manual].map((e) => e.timestampMs))].sort(
    (a, b) => a - b,
  );
  let best: Explain | undefined;
  for (const start of starts) {
    const inner = evalNode(spec.rule, inWindow(ev, start, start + span), `${path}/rule`);
    if (inner.met) {
      const reason = `met within ${spec.duration} from ${new Date(start).toISOString()}`;
      return { ...node(path, 'within', 1, 1, reason, inner.evidence), children: [inner] };
    }
    if (best === undefined || inner.have / inner.need > best.have / best.need) best = inner;
  }
  best ??= evalNode(spec.rule, inWindow(ev, 0, -1), `${path}/rule`);
  const reason = `not met within any ${spec.duration} window; best window: ${best.reason}`;
  return { ...node(path, 'within', 0, 1, reason, []), children: [best] };
}

function evalNode(rule: RuleNode, ev: Prepared, path: string): Explain {
  if ('statement' in rule) return evalStatement(rule.statement, ev, `${path}/statement`);
  if ('allOf' in rule) return evalAllOf(rule.allOf, ev, `${path}/allOf`);
  if ('anyOf' in rule) return evalAnyOf(rule.anyOf, ev, `${path}/anyOf`);
  if ('nOfM' in rule) return evalNOfM(rule.nOfM, ev, `${path}/nOfM`);
  if ('atLeast' in rule) return evalAtLeast(rule.atLeast, ev, `${path}/atLeast`);
  if ('within' in rule) return evalWithin(rule.within, ev, `${path}/within`);
  if ('lineItem' in rule) return evalLineItem(rule.lineItem, ev, `${path}/lineItem`);
  return evalManual(ev, `${path}/manual`);
}

/**
 * Evaluates a parsed rule over one learner's evidence: met or not, the evidence that met it, and an explain tree
 * (which condition fails and how far: "2 of 3 activities"). Pure and deterministic: the result depends only on
 * the set of non-voided statements, grades and marks, never on their order or duplication. `nearest: false`
 * skips the search for the closest unmet statement (the worker needs met/evidence only).
 */
export function evaluateRule(
  rule: RuleNode,
  evidence: LearnerEvidence,
  options: { nearest?: boolean } = {},
): Evaluation {
  const explain = evalNode(rule, { ...prepareEvidence(evidence), nearest: options.nearest ?? true }, '');
  return { met: explain.met, evidence: explain.met ? explain.evidence : [], explain };
}
