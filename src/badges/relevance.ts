import type { RuleNode, StatementCondition } from './rule.js';
import type { EvidenceStatement } from './statement.js';

/** What one statement condition can be affected by; an absent list means "any". */
export interface StatementFilter {
  verbs?: string[];
  activityIds?: string[];
  activityIdPrefixes?: string[];
  activityTypes?: string[];
  /** A context parent (id or prefix) or grouping id the statement must carry. */
  parentIds?: string[];
  parentIdPrefixes?: string[];
  groupingIds?: string[];
}

/**
 * Which statements and grades can change a rule's result, so a worker can skip a rule cheaply per statement.
 * `verbs`, `activityIds` and `activityIdPrefixes` summarise the filters for indexing ('any' when some condition
 * leaves them open).
 */
export interface Relevance {
  filters: StatementFilter[];
  verbs: string[] | 'any';
  activityIds: string[] | 'any';
  activityIdPrefixes: string[];
  lineItemIds: string[];
  manual: boolean;
}

function filterOf(condition: StatementCondition, activities?: string[]): StatementFilter {
  const filter: StatementFilter = {};
  if (condition.verb) filter.verbs = condition.verb;
  if (activities) filter.activityIds = activities;
  else if (condition.objectId !== undefined) filter.activityIds = [condition.objectId];
  if (condition.objectIdPrefix !== undefined) filter.activityIdPrefixes = [condition.objectIdPrefix];
  if (condition.activityType) filter.activityTypes = condition.activityType;
  if (condition.parentId !== undefined) filter.parentIds = [condition.parentId];
  if (condition.parentIdPrefix !== undefined) filter.parentIdPrefixes = [condition.parentIdPrefix];
  if (condition.groupingId !== undefined) filter.groupingIds = [condition.groupingId];
  return filter;
}

function collect(
  rule: RuleNode,
  out: { filters: StatementFilter[]; lineItemIds: string[]; manual: boolean },
) {
  if ('statement' in rule) out.filters.push(filterOf(rule.statement));
  else if ('allOf' in rule) for (const child of rule.allOf) collect(child, out);
  else if ('anyOf' in rule) for (const child of rule.anyOf) collect(child, out);
  else if ('nOfM' in rule) out.filters.push(filterOf(rule.nOfM.where ?? {}, rule.nOfM.activities));
  else if ('atLeast' in rule) out.filters.push(filterOf(rule.atLeast.where));
  else if ('within' in rule) collect(rule.within.rule, out);
  else if ('lineItem' in rule) out.lineItemIds.push(rule.lineItem.id);
  else out.manual = true;
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** The relevance summary of a parsed rule. */
export function relevance(rule: RuleNode): Relevance {
  const out = { filters: [] as StatementFilter[], lineItemIds: [] as string[], manual: false };
  collect(rule, out);
  const open = (pick: (f: StatementFilter) => unknown) => out.filters.some((f) => pick(f) === undefined);
  return {
    filters: out.filters,
    verbs: open((f) => f.verbs) ? 'any' : sorted(out.filters.flatMap((f) => f.verbs ?? [])),
    activityIds: open((f) => f.activityIds ?? f.activityIdPrefixes)
      ? 'any'
      : sorted(out.filters.flatMap((f) => f.activityIds ?? [])),
    activityIdPrefixes: sorted(out.filters.flatMap((f) => f.activityIdPrefixes ?? [])),
    lineItemIds: sorted(out.lineItemIds),
    manual: out.manual,
  };
}

function passes(filter: StatementFilter, s: EvidenceStatement): boolean {
  if (filter.verbs && !filter.verbs.includes(s.verb)) return false;
  if (
    filter.activityTypes &&
    (s.activityType === undefined || !filter.activityTypes.includes(s.activityType))
  ) {
    return false;
  }
  if (filter.parentIds && !filter.parentIds.some((id) => s.parentIds.includes(id))) return false;
  if (
    filter.parentIdPrefixes &&
    !filter.parentIdPrefixes.some((p) => s.parentIds.some((id) => id.startsWith(p)))
  ) {
    return false;
  }
  if (filter.groupingIds && !filter.groupingIds.some((id) => s.groupingIds.includes(id))) return false;
  const byId = filter.activityIds?.includes(s.activityId) ?? false;
  const byPrefix = filter.activityIdPrefixes?.some((p) => s.activityId.startsWith(p)) ?? false;
  const constrained = filter.activityIds !== undefined || filter.activityIdPrefixes !== undefined;
  return !constrained || byId || byPrefix;
}

/**
 * True when the statement may change the rule's result (never false for one that can: a superset test).
 * Voiding statements are not covered: the worker re-evaluates the awards whose evidence they void.
 */
export function isRelevant(rel: Relevance, s: EvidenceStatement): boolean {
  return s.voids === undefined && rel.filters.some((filter) => passes(filter, s));
}
