import { z } from 'zod';
import type { Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import {
  appendPath,
  pages,
  parseServiceJson,
  type ServiceClient,
  type ServiceTarget,
  serviceInvalid,
  serviceRefused,
  withQuery,
} from './client.js';
import { agsScope, mediaType } from './scopes.js';

/** A line item as AGS 2.0 §3.2 describes it (unknown members, such as Canvas's extensions, are dropped). */
export interface LineItem {
  id: string;
  scoreMaximum: number;
  label: string;
  resourceId?: string;
  resourceLinkId?: string;
  tag?: string;
  startDateTime?: string;
  endDateTime?: string;
  gradesReleased?: boolean;
}

/** A result (AGS 2.0 §3.3): the platform's current grade of one user for one line item. */
export interface Result {
  id?: string;
  scoreOf?: string;
  userId: string;
  resultScore?: number;
  resultMaximum?: number;
  comment?: string;
}

export const activityProgress = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'] as const;
export const gradingProgress = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'] as const;

/** A score to publish (AGS 2.0 §3.4); `timestamp` defaults to the clock's now. */
export interface ScoreInput {
  userId: string;
  scoreGiven?: number;
  scoreMaximum?: number;
  comment?: string;
  activityProgress: (typeof activityProgress)[number];
  gradingProgress: (typeof gradingProgress)[number];
  timestamp?: Date;
}

export type NewLineItem = Omit<LineItem, 'id'>;

const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

const lineItemSchema = z.object({
  id: z.url(),
  scoreMaximum: z.number().positive(),
  label: z.string(),
  resourceId: optionalText,
  resourceLinkId: optionalText,
  tag: optionalText,
  startDateTime: optionalText,
  endDateTime: optionalText,
  gradesReleased: z
    .boolean()
    .nullish()
    .transform((value) => value ?? undefined),
});

const optionalNumber = z
  .number()
  .nullish()
  .transform((value) => value ?? undefined);

const resultSchema = z.object({
  id: optionalText,
  scoreOf: optionalText,
  userId: z.union([z.string().min(1), z.number().transform(String)]),
  resultScore: optionalNumber,
  resultMaximum: optionalNumber,
  comment: optionalText,
});

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter((entry) => entry[1] !== undefined)) as T;
}

function parseList<T>(body: unknown, schema: z.ZodType<T>, what: string): T[] {
  const parsed = z.array(schema).safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw serviceInvalid('AGS', `is not a ${what} container (${issue.path.join('.')}: ${issue.message})`);
  }
  return parsed.data.map((item) => compact(item as object) as T);
}

function parseLineItem(body: unknown): LineItem {
  const parsed = lineItemSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw serviceInvalid('AGS', `is not a line item (${issue.path.join('.')}: ${issue.message})`);
  }
  return compact(parsed.data) as LineItem;
}

export interface LineItemFilter {
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
  /** Page size asked of the platform (it may use another). */
  limit?: number;
}

/**
 * Every line item of a context's container, following `Link: rel="next"` (AGS 2.0 §3.2.4).
 * @throws AppError ERR_LTI_AGS_REQUEST_REFUSED, ERR_LTI_AGS_RESPONSE_INVALID, ERR_LTI_TOKEN_*, ERR_OUTBOUND_*.
 */
export async function listLineItems(
  client: ServiceClient,
  target: ServiceTarget,
  lineItemsUrl: string,
  filter: LineItemFilter = {},
): Promise<LineItem[]> {
  const url = withQuery(lineItemsUrl, {
    resource_link_id: filter.resourceLinkId,
    resource_id: filter.resourceId,
    tag: filter.tag,
    limit: filter.limit,
  });
  const items: LineItem[] = [];
  const call = {
    service: 'AGS',
    scope: agsScope.lineItem,
    alsoAllowedBy: [agsScope.lineItemReadonly],
    url,
    accept: mediaType.lineItemContainer,
  } as const;
  for await (const page of pages(client, target, call, 'GET line items')) {
    items.push(...parseList(parseServiceJson('AGS', page.res), lineItemSchema, 'line item'));
  }
  return items;
}

function checkNewLineItem(item: NewLineItem): void {
  const bad = (rule: string) => new AppError('ERR_LTI_AGS_LINE_ITEM_INVALID', `Line item ${rule}`);
  if (!(Number.isFinite(item.scoreMaximum) && item.scoreMaximum > 0)) {
    throw bad('scoreMaximum must be a number greater than 0 (AGS 2.0 §3.2.7)');
  }
  if (typeof item.label !== 'string' || item.label.trim() === '' || item.label.length > 255) {
    throw bad('label must be a non-empty string of at most 255 characters (AGS 2.0 §3.2.6)');
  }
  for (const key of ['startDateTime', 'endDateTime'] as const) {
    const value = item[key];
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw bad(`${key} must be an ISO 8601 date`);
  }
}

/**
 * Creates a line item in a context's container (AGS 2.0 §3.2.5) and returns it as the platform stored it.
 * @throws AppError ERR_LTI_AGS_LINE_ITEM_INVALID (before sending), ERR_LTI_AGS_REQUEST_REFUSED,
 * ERR_LTI_AGS_RESPONSE_INVALID, ERR_LTI_TOKEN_*, ERR_OUTBOUND_*.
 */
export async function createLineItem(
  client: ServiceClient,
  target: ServiceTarget,
  lineItemsUrl: string,
  item: NewLineItem,
): Promise<LineItem> {
  checkNewLineItem(item);
  const res = await client.send(target, {
    service: 'AGS',
    scope: agsScope.lineItem,
    method: 'POST',
    url: lineItemsUrl,
    accept: mediaType.lineItem,
    contentType: mediaType.lineItem,
    body: JSON.stringify(compact(item)),
  });
  if (res.status !== 200 && res.status !== 201) throw serviceRefused('AGS', 'POST line item', res);
  return parseLineItem(parseServiceJson('AGS', res));
}

/**
 * One line item by its URL (AGS 2.0 §3.2.3).
 * @throws AppError ERR_LTI_AGS_NOT_FOUND (404), ERR_LTI_AGS_REQUEST_REFUSED, ERR_LTI_AGS_RESPONSE_INVALID,
 * ERR_LTI_TOKEN_*, ERR_OUTBOUND_*.
 */
export async function getLineItem(
  client: ServiceClient,
  target: ServiceTarget,
  lineItemUrl: string,
): Promise<LineItem> {
  const res = await client.send(target, {
    service: 'AGS',
    scope: agsScope.lineItem,
    alsoAllowedBy: [agsScope.lineItemReadonly],
    method: 'GET',
    url: lineItemUrl,
    accept: mediaType.lineItem,
  });
  if (res.status === 404) {
    throw new AppError('ERR_LTI_AGS_NOT_FOUND', `The platform has no line item at ${lineItemUrl}`);
  }
  if (res.status !== 200) throw serviceRefused('AGS', 'GET line item', res);
  return parseLineItem(parseServiceJson('AGS', res));
}

function checkScore(score: ScoreInput): void {
  const bad = (rule: string) => new AppError('ERR_LTI_AGS_SCORE_INVALID', `Score ${rule}`);
  if (typeof score.userId !== 'string' || score.userId === '') throw bad('userId is required');
  if (!(activityProgress as readonly string[]).includes(score.activityProgress)) {
    throw bad(`activityProgress must be one of ${activityProgress.join(', ')}`);
  }
  if (!(gradingProgress as readonly string[]).includes(score.gradingProgress)) {
    throw bad(`gradingProgress must be one of ${gradingProgress.join(', ')}`);
  }
  if (score.scoreGiven !== undefined) {
    if (!(Number.isFinite(score.scoreGiven) && score.scoreGiven >= 0)) {
      throw bad('scoreGiven must be a number of at least 0');
    }
    // AGS 2.0 §3.4.5: scoreMaximum MUST be present when scoreGiven is.
    if (score.scoreMaximum === undefined) throw bad('scoreMaximum is required with scoreGiven');
  }
  if (score.scoreMaximum !== undefined && !(Number.isFinite(score.scoreMaximum) && score.scoreMaximum > 0)) {
    throw bad('scoreMaximum must be a number greater than 0');
  }
}

/**
 * Publishes a score for one user on a line item (POST `<lineitem>/scores`, AGS 2.0 §3.4), timestamped by the
 * clock with millisecond precision unless `timestamp` is given.
 * @throws AppError ERR_LTI_AGS_SCORE_INVALID (before sending), ERR_LTI_AGS_NOT_FOUND,
 * ERR_LTI_AGS_REQUEST_REFUSED, ERR_LTI_TOKEN_*, ERR_OUTBOUND_*.
 */
export async function postScore(
  client: ServiceClient,
  target: ServiceTarget,
  lineItemUrl: string,
  score: ScoreInput,
  clock: Clock,
): Promise<void> {
  checkScore(score);
  const body = compact({
    userId: score.userId,
    scoreGiven: score.scoreGiven,
    scoreMaximum: score.scoreMaximum,
    comment: score.comment,
    activityProgress: score.activityProgress,
    gradingProgress: score.gradingProgress,
    timestamp: (score.timestamp ?? clock.now()).toISOString(),
  });
  const res = await client.send(target, {
    service: 'AGS',
    scope: agsScope.score,
    method: 'POST',
    url: appendPath(lineItemUrl, 'scores'),
    accept: 'application/json',
    contentType: mediaType.score,
    body: JSON.stringify(body),
  });
  if (res.status === 404) {
    throw new AppError('ERR_LTI_AGS_NOT_FOUND', `The platform has no line item at ${lineItemUrl}`);
  }
  // AGS 2.0 §3.4.1: 200, 201, 202 or 204 all mean the score was received.
  if (![200, 201, 202, 204].includes(res.status)) throw serviceRefused('AGS', 'POST score', res);
}

/**
 * The results of a line item (GET `<lineitem>/results`, AGS 2.0 §3.3), following `Link: rel="next"`.
 * @throws AppError ERR_LTI_AGS_REQUEST_REFUSED, ERR_LTI_AGS_RESPONSE_INVALID, ERR_LTI_TOKEN_*, ERR_OUTBOUND_*.
 */
export async function listResults(
  client: ServiceClient,
  target: ServiceTarget,
  lineItemUrl: string,
  filter: { userId?: string; limit?: number } = {},
): Promise<Result[]> {
  const url = withQuery(appendPath(lineItemUrl, 'results'), { user_id: filter.userId, limit: filter.limit });
  const results: Result[] = [];
  const call = {
    service: 'AGS',
    scope: agsScope.resultReadonly,
    url,
    accept: mediaType.resultContainer,
  } as const;
  for await (const page of pages(client, target, call, 'GET results')) {
    results.push(...parseList(parseServiceJson('AGS', page.res), resultSchema, 'result'));
  }
  return results;
}
