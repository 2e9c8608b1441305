export {
  activityProgress,
  createLineItem,
  getLineItem,
  gradingProgress,
  type LineItem,
  type LineItemFilter,
  listLineItems,
  listResults,
  type NewLineItem,
  postScore,
  type Result,
  type ScoreInput,
} from './ags.js';
export {
  createServiceClient,
  parseLinkHeader,
  type ServiceClient,
  type ServiceContext,
  type ServiceTarget,
} from './client.js';
export { type CourseServiceTarget, courseServiceTarget, recordCourseServices } from './course.js';
export { parseServiceEndpoints, type ServiceEndpoints } from './endpoints.js';
export { type GradesSyncResult, resolveLineItemRefs, syncGrades } from './grades.js';
export {
  enqueueGradesSync,
  enqueueGradesSyncForRule,
  gradesSyncIntervalMs,
  gradesSyncJobHandler,
  gradesSyncQueue,
  scheduleGradesSync,
} from './grades-job.js';
export { type Member, type MembershipFilter, type Memberships, readMemberships } from './nrps.js';
export { type RosterSyncResult, syncRoster } from './roster.js';
export { enqueueRosterSync, rosterSyncJobHandler, rosterSyncQueue } from './roster-job.js';
export { agsScope, mediaType, nrpsScope, serviceScopes } from './scopes.js';
export { AccessTokenCache, requestAccessToken, signClientAssertion } from './token.js';
export { serviceUserAgent } from './user-agent.js';
