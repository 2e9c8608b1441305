import { z } from 'zod';
import { AppError } from '../errors.js';
import { parseDuration } from './duration.js';
import { trapIds } from './statement.js';
import { verbIri, verbs } from './vocabulary.js';

/** Conditions on one statement; every key given must hold (docs/rules.md "Statement conditions"). */
export interface StatementCondition {
  verb?: string[];
  objectId?: string;
  objectIdPrefix?: string;
  activityType?: string[];
  completion?: boolean;
  success?: boolean;
  score?: { minScaled?: number; maxScaled?: number; minRaw?: number; maxRaw?: number };
  duration?: { min?: string; max?: string };
  registration?: string;
  parentId?: string;
  parentIdPrefix?: string;
  groupingId?: string;
  accept?: (typeof trapIds)[number][];
}

/** An award rule: a tree of conditions and combinators (docs/rules.md). */
export type RuleNode =
  | { statement: StatementCondition }
  | { allOf: RuleNode[] }
  | { anyOf: RuleNode[] }
  | { nOfM: { n: number; activities: string[]; where?: StatementCondition } }
  | {
      atLeast: {
        count: number;
        where: StatementCondition;
        distinct?: 'statement' | 'activity' | 'registration';
      };
    }
  | { within: { duration: string; rule: RuleNode } }
  | { lineItem: { id: string; minScaled?: number; minScore?: number } }
  | { manual: Record<string, never> };

export const ruleLimits = { maxDepth: 12, maxNodes: 200, maxList: 100 } as const;

const iri = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, 'must be an absolute IRI');

const verb = z
  .string()
  .refine((v) => v in verbs || /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(v), {
    message: `must be a verb IRI or one of: ${Object.keys(verbs).join(', ')}`,
  })
  .transform(verbIri);

/** One value or a non-empty list of them, always parsed to a list; issues keep the list index when there is one. */
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.unknown().transform((value, ctx) => {
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0 || list.length > ruleLimits.maxList) {
      ctx.addIssue({ code: 'custom', message: `must hold 1 to ${ruleLimits.maxList} values` });
      return z.NEVER;
    }
    const out: z.output<T>[] = [];
    list.forEach((entry, i) => {
      const result = item.safeParse(entry);
      if (result.success) out.push(result.data);
      else
        for (const issue of result.error.issues) {
          ctx.addIssue({ ...issue, path: Array.isArray(value) ? [i, ...issue.path] : issue.path } as never);
        }
    });
    return out;
  });

const isoDuration = z.string().refine((v) => parseDuration(v) !== undefined, {
  message: 'must be an ISO 8601 duration such as PT30M',
});

const nonEmpty = (value: object) => Object.keys(value).length > 0;

const score = z
  .strictObject({
    minScaled: z.number().min(0).max(1).optional(),
    maxScaled: z.number().min(0).max(1).optional(),
    minRaw: z.number().optional(),
    maxRaw: z.number().optional(),
  })
  .refine(nonEmpty, { message: 'needs at least one of minScaled, maxScaled, minRaw, maxRaw' });

const statementCondition = z
  .strictObject({
    verb: oneOrMany(verb).optional(),
    objectId: iri.optional(),
    objectIdPrefix: z.string().min(1).max(2048).optional(),
    activityType: oneOrMany(iri).optional(),
    completion: z.boolean().optional(),
    success: z.boolean().optional(),
    score: score.optional(),
    duration: z
      .strictObject({ min: isoDuration.optional(), max: isoDuration.optional() })
      .refine(nonEmpty, { message: 'needs min or max' })
      .optional(),
    registration: z.uuid().optional(),
    parentId: iri.optional(),
    parentIdPrefix: z.string().min(1).max(2048).optional(),
    groupingId: iri.optional(),
    accept: z.array(z.enum(trapIds)).max(trapIds.length).optional(),
  })
  .refine(nonEmpty, { message: 'an empty condition would match any statement: name at least one property' });

const distinctList = z
  .array(iri)
  .min(1)
  .max(ruleLimits.maxList)
  .refine((list) => new Set(list).size === list.length, { message: 'activities must be distinct' });

const node: z.ZodType<RuleNode> = z.lazy(() =>
  z.unknown().transform((value, ctx) => {
    const keys =
      typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
    const schema = keys.length === 1 ? branches[keys[0] as keyof typeof branches] : undefined;
    if (schema === undefined || !Object.hasOwn(branches, keys[0]!)) {
      ctx.addIssue({
        code: 'custom',
        message: `a rule node is an object with exactly one of: ${Object.keys(branches).join(', ')}`,
      });
      return z.NEVER;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue({ ...issue } as never);
      return z.NEVER;
    }
    return result.data as RuleNode;
  }),
);

const children = z.array(node).min(1).max(ruleLimits.maxList);

const branches = {
  statement: z.strictObject({ statement: statementCondition }),
  allOf: z.strictObject({ allOf: children }),
  anyOf: z.strictObject({ anyOf: children }),
  nOfM: z.strictObject({
    nOfM: z
      .strictObject({
        n: z.number().int().min(1),
        activities: distinctList,
        where: statementCondition.optional(),
      })
      .refine((v) => v.n <= v.activities.length, {
        message: 'n must not exceed the number of activities',
        path: ['n'],
      })
      .refine((v) => v.where?.objectId === undefined && v.where?.objectIdPrefix === undefined, {
        message: 'where must not name objectId/objectIdPrefix: the activities list does',
        path: ['where'],
      }),
  }),
  atLeast: z.strictObject({
    atLeast: z.strictObject({
      count: z.number().int().min(1).max(10_000),
      where: statementCondition,
      distinct: z.enum(['statement', 'activity', 'registration']).optional(),
    }),
  }),
  within: z.strictObject({ within: z.strictObject({ duration: isoDuration, rule: node }) }),
  lineItem: z.strictObject({
    lineItem: z
      .strictObject({
        id: z.string().min(1).max(2048),
        minScaled: z.number().min(0).max(1).optional(),
        minScore: z.number().min(0).optional(),
      })
      .refine((v) => (v.minScaled === undefined) !== (v.minScore === undefined), {
        message: 'needs exactly one of minScaled, minScore',
      }),
  }),
  manual: z.strictObject({ manual: z.strictObject({}) }),
} as const;

function jsonDepthExceeds(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > limit) return true;
    level = level.flatMap((v) => (typeof v === 'object' && v !== null ? Object.values(v) : []));
  }
  return false;
}

/** JSON Pointer (RFC 6901) to a place inside the rule. */
function pointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('') || '/';
}

function measure(rule: RuleNode, depth = 1): { depth: number; nodes: number } {
  const kids: RuleNode[] =
    'allOf' in rule ? rule.allOf : 'anyOf' in rule ? rule.anyOf : 'within' in rule ? [rule.within.rule] : [];
  return kids
    .map((k) => measure(k, depth + 1))
    .reduce((acc, m) => ({ depth: Math.max(acc.depth, m.depth), nodes: acc.nodes + m.nodes }), {
      depth,
      nodes: 1,
    });
}

/**
 * Parses an award rule from untrusted JSON into a RuleNode (verbs expanded to IRIs, single values to lists).
 * Throws ERR_RULE_INVALID naming the JSON Pointer of the first bad place, or ERR_RULE_TOO_COMPLEX.
 */
export function parseRule(input: unknown): RuleNode {
  // Bound the nesting before the recursive schema walks it, so a hostile document cannot exhaust the stack.
  if (jsonDepthExceeds(input, ruleLimits.maxDepth * 4)) {
    throw new AppError('ERR_RULE_TOO_COMPLEX', `rule nests deeper than ${ruleLimits.maxDepth} rule levels`, {
      details: { path: '/', limits: ruleLimits },
    });
  }
  const result = node.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: pointer(issue.path),
      message: issue.message,
    }));
    const first = issues[0]!;
    throw new AppError('ERR_RULE_INVALID', `rule ${first.path}: ${first.message}`, {
      details: { path: first.path, issues },
    });
  }
  const size = measure(result.data);
  if (size.depth > ruleLimits.maxDepth || size.nodes > ruleLimits.maxNodes) {
    throw new AppError(
      'ERR_RULE_TOO_COMPLEX',
      `rule has ${size.nodes} nodes nested ${size.depth} deep; the limits are ${ruleLimits.maxNodes} nodes and depth ${ruleLimits.maxDepth}`,
      { details: { path: '/', ...size, limits: ruleLimits } },
    );
  }
  return result.data;
}
