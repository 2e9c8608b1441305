export { ifiKey, readActor, readAgent } from './actor.js';
export { type AttachmentContent, matchAttachments, readStatementMultipart } from './attachments.js';
export {
  generateCredentials,
  hashSecret,
  type LrsScope,
  lrsScopes,
  parseBasicAuth,
  parseScopes,
  secretMatches,
} from './credentials.js';
export {
  checkPreconditions,
  documentEtag,
  isJsonType,
  mergeJsonDocuments,
  type Preconditions,
} from './documents.js';
export { statementsEquivalent } from './equivalence.js';
export {
  isIri,
  isUuid,
  parseTimestamp,
  parseVersion,
  type XapiVersion,
} from './formats.js';
export {
  consistencyMarginMs,
  type IngestDeps,
  type StatementWriter,
  statementQueue,
  storeStatements,
} from './ingest.js';
export { moreLifetimeMs, readMore, signMore } from './more.js';
export { buildMultipart } from './multipart.js';
export {
  acceptedLanguages,
  formatStatement,
  mergeActivityDefinitions,
  type StatementFormat,
} from './output.js';
export {
  createPuller,
  guardedAdapter,
  type PullDeps,
  pullSecretPurpose,
  pullSource,
  runDuePulls,
} from './pull.js';
export { signatureUsageType, verifyStatementSignature } from './signature.js';
export { type ValidateOptions, validateStatement, validateStatements } from './statement.js';
export { type StatementTerms, statementTerms } from './terms.js';
export * from './types.js';
