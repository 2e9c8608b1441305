/** The xAPI data model (1.0.3 Data 2; 2.0 §4.2), as the validator returns it. */

export type LanguageMap = Record<string, string>;
export type Extensions = Record<string, unknown>;

export interface Account {
  homePage: string;
  name: string;
}

/** Inverse Functional Identifiers: an Agent or identified Group carries exactly one. */
export interface Ifis {
  mbox?: string;
  mbox_sha1sum?: string;
  openid?: string;
  account?: Account;
}

export interface Agent extends Ifis {
  objectType?: 'Agent';
  name?: string;
}

export interface Group extends Ifis {
  objectType: 'Group';
  name?: string;
  member?: Agent[];
}

export type Actor = Agent | Group;

export interface Verb {
  id: string;
  display?: LanguageMap;
}

export interface InteractionComponent {
  id: string;
  description?: LanguageMap;
}

export interface ActivityDefinition {
  name?: LanguageMap;
  description?: LanguageMap;
  type?: string;
  moreInfo?: string;
  interactionType?: string;
  correctResponsesPattern?: string[];
  choices?: InteractionComponent[];
  scale?: InteractionComponent[];
  source?: InteractionComponent[];
  target?: InteractionComponent[];
  steps?: InteractionComponent[];
  extensions?: Extensions;
}

export interface Activity {
  objectType?: 'Activity';
  id: string;
  definition?: ActivityDefinition;
}

export interface StatementRef {
  objectType: 'StatementRef';
  id: string;
}

export interface Score {
  scaled?: number;
  raw?: number;
  min?: number;
  max?: number;
}

export interface Result {
  score?: Score;
  success?: boolean;
  completion?: boolean;
  response?: string;
  duration?: string;
  extensions?: Extensions;
}

export interface ContextActivities {
  parent?: Activity[];
  grouping?: Activity[];
  category?: Activity[];
  other?: Activity[];
}

export interface ContextAgent {
  objectType: 'contextAgent';
  agent: Agent;
  relevantTypes?: string[];
}

export interface ContextGroup {
  objectType: 'contextGroup';
  group: Group;
  relevantTypes?: string[];
}

export interface Context {
  registration?: string;
  instructor?: Actor;
  team?: Group;
  contextActivities?: ContextActivities;
  contextAgents?: ContextAgent[];
  contextGroups?: ContextGroup[];
  revision?: string;
  platform?: string;
  language?: string;
  statement?: StatementRef;
  extensions?: Extensions;
}

export interface Attachment {
  usageType: string;
  display: LanguageMap;
  description?: LanguageMap;
  contentType: string;
  length: number;
  sha2: string;
  fileUrl?: string;
}

export interface SubStatement {
  objectType: 'SubStatement';
  actor: Actor;
  verb: Verb;
  object: Activity | Agent | Group | StatementRef;
  result?: Result;
  context?: Context;
  timestamp?: string;
  attachments?: Attachment[];
}

export type StatementObject = Activity | Agent | Group | StatementRef | SubStatement;

export interface Statement {
  id?: string;
  actor: Actor;
  verb: Verb;
  object: StatementObject;
  result?: Result;
  context?: Context;
  timestamp?: string;
  stored?: string;
  authority?: Actor;
  version?: string;
  attachments?: Attachment[];
}

/** A statement as the LRS stores it: id, timestamp, stored, authority and version filled in. */
export interface StoredStatement extends Statement {
  id: string;
  timestamp: string;
  stored: string;
  authority: Actor;
  version: string;
}

export const voidedVerb = 'http://adlnet.gov/expapi/verbs/voided';
