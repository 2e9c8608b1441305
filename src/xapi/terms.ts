import { ifiKey } from './actor.js';
import type { Activity, Actor, Context, Statement, StatementObject } from './types.js';
import { voidedVerb } from './types.js';

/** What the statement query filters on (xAPI 1.0.3 Communication 2.1.3; 2.0 §4.1.6.1). */
export interface StatementTerms {
  verbId: string;
  registration: string | null;
  /** For a voiding statement, the id of its target. */
  voids: string | null;
  /** The id of the statement a StatementRef object targets (any verb). */
  objectRef: string | null;
  /** IFI keys of the actor and of an Agent/Group object (`agent=`). */
  agents: string[];
  /** Every IFI in the statement: authority, context, members, SubStatement (`related_agents=true`). */
  relatedAgents: string[];
  /** The object's Activity id (`activity=`). */
  activities: string[];
  /** Every Activity id: context activities and the SubStatement's (`related_activities=true`). */
  relatedActivities: string[];
}

/** Extracts the filter terms of a validated statement. */
export function statementTerms(statement: Statement): StatementTerms {
  const agents = new Set<string>();
  addActor(agents, statement.actor, false);
  if (isActor(statement.object)) addActor(agents, statement.object, false);
  const related = new Set<string>();
  addActor(related, statement.actor, true);
  if (statement.authority) addActor(related, statement.authority, true);
  addObjectAgents(related, statement.object);
  addContextAgents(related, statement.context);

  const activities = new Set<string>();
  if (isActivity(statement.object)) activities.add(statement.object.id);
  const relatedActivities = new Set(activities);
  addContextActivities(relatedActivities, statement.context);
  if (statement.object.objectType === 'SubStatement') {
    if (isActivity(statement.object.object)) relatedActivities.add(statement.object.object.id);
    addContextActivities(relatedActivities, statement.object.context);
  }
  const voids =
    statement.verb.id === voidedVerb && statement.object.objectType === 'StatementRef'
      ? statement.object.id.toLowerCase()
      : null;
  return {
    verbId: statement.verb.id,
    registration: statement.context?.registration?.toLowerCase() ?? null,
    voids,
    objectRef: statement.object.objectType === 'StatementRef' ? statement.object.id.toLowerCase() : null,
    agents: [...agents],
    relatedAgents: [...related],
    activities: [...activities],
    relatedActivities: [...relatedActivities],
  };
}

function isActor(object: StatementObject): object is Actor {
  return object.objectType === 'Agent' || object.objectType === 'Group';
}

function isActivity(object: StatementObject): object is Activity {
  return object.objectType === undefined || object.objectType === 'Activity';
}

function addActor(into: Set<string>, actor: Actor, withMembers: boolean): void {
  const key = ifiKey(actor);
  if (key) into.add(key);
  if (withMembers && actor.objectType === 'Group') {
    for (const member of actor.member ?? []) addActor(into, member, false);
  }
}

function addObjectAgents(into: Set<string>, object: StatementObject): void {
  if (isActor(object)) addActor(into, object, true);
  if (object.objectType === 'SubStatement') {
    addActor(into, object.actor, true);
    addObjectAgents(into, object.object);
    addContextAgents(into, object.context);
  }
}

function addContextAgents(into: Set<string>, context: Context | undefined): void {
  if (!context) return;
  if (context.instructor) addActor(into, context.instructor, true);
  if (context.team) addActor(into, context.team, true);
  for (const item of context.contextAgents ?? []) addActor(into, item.agent, false);
  for (const item of context.contextGroups ?? []) addActor(into, item.group, true);
}

function addContextActivities(into: Set<string>, context: Context | undefined): void {
  const lists = context?.contextActivities;
  if (!lists) return;
  for (const list of [lists.parent, lists.grouping, lists.category, lists.other]) {
    for (const activity of list ?? []) into.add(activity.id);
  }
}
