import { array, extensions, fail, iri, join, keys, languageMap, object, onlyKeys, string } from './check.js';
import { isIri } from './formats.js';
import type { Activity, ActivityDefinition, InteractionComponent } from './types.js';

const activityKeys = keys('objectType', 'id', 'definition');
const definitionKeys = keys(
  'name',
  'description',
  'type',
  'moreInfo',
  'interactionType',
  'correctResponsesPattern',
  'choices',
  'scale',
  'source',
  'target',
  'steps',
  'extensions',
);
const componentKeys = keys('id', 'description');

type ComponentList = 'choices' | 'scale' | 'source' | 'target' | 'steps';
const componentLists: readonly ComponentList[] = ['choices', 'scale', 'source', 'target', 'steps'];

/** Which Interaction Component lists each interactionType may carry (Data 2.4.4.1.1, table). */
const allowedComponents: Record<string, readonly ComponentList[]> = {
  'true-false': [],
  choice: ['choices'],
  'fill-in': [],
  'long-fill-in': [],
  matching: ['source', 'target'],
  performance: ['steps'],
  sequencing: ['choices'],
  likert: ['scale'],
  numeric: [],
  other: [],
};

/** An Activity: optional objectType "Activity", an IRI id, an optional definition (Data 2.4.4.1). */
export function readActivity(value: unknown, path: string): Activity {
  const input = object(value, path);
  onlyKeys(input, activityKeys, path);
  const activity: Activity = { id: '' };
  if (input.objectType !== undefined) {
    if (input.objectType !== 'Activity') fail(join(path, 'objectType'), 'must be "Activity"');
    activity.objectType = 'Activity';
  }
  if (input.id === undefined) fail(join(path, 'id'), 'is required in an Activity');
  activity.id = iri(input.id, join(path, 'id'));
  if (input.definition !== undefined)
    activity.definition = readDefinition(input.definition, join(path, 'definition'));
  return activity;
}

function readDefinition(value: unknown, path: string): ActivityDefinition {
  const input = object(value, path);
  onlyKeys(input, definitionKeys, path);
  const out: ActivityDefinition = {};
  if (input.name !== undefined) out.name = languageMap(input.name, join(path, 'name'));
  if (input.description !== undefined)
    out.description = languageMap(input.description, join(path, 'description'));
  if (input.type !== undefined) out.type = iri(input.type, join(path, 'type'));
  if (input.moreInfo !== undefined) {
    const moreInfo = string(input.moreInfo, join(path, 'moreInfo'));
    if (!isIri(moreInfo)) fail(join(path, 'moreInfo'), 'must be an IRL');
    out.moreInfo = moreInfo;
  }
  let allowed: readonly ComponentList[] | undefined;
  if (input.interactionType !== undefined) {
    const type = string(input.interactionType, join(path, 'interactionType'));
    allowed = allowedComponents[type];
    if (!allowed)
      fail(join(path, 'interactionType'), `must be one of ${Object.keys(allowedComponents).join(', ')}`);
    out.interactionType = type;
  }
  if (input.correctResponsesPattern !== undefined) {
    const at = join(path, 'correctResponsesPattern');
    if (!allowed) fail(at, 'requires interactionType');
    out.correctResponsesPattern = array(input.correctResponsesPattern, at).map((item, i) =>
      string(item, join(at, i)),
    );
  }
  for (const list of componentLists) {
    if (input[list] === undefined) continue;
    const at = join(path, list);
    if (!allowed) fail(at, 'requires interactionType');
    if (!allowed.includes(list)) fail(at, `is not used with interactionType "${out.interactionType}"`);
    out[list] = readComponents(input[list], at);
  }
  if (input.extensions !== undefined) out.extensions = extensions(input.extensions, join(path, 'extensions'));
  return out;
}

function readComponents(value: unknown, path: string): InteractionComponent[] {
  const seen = new Set<string>();
  return array(value, path).map((item, i) => {
    const at = join(path, i);
    const input = object(item, at);
    onlyKeys(input, componentKeys, at);
    if (input.id === undefined) fail(join(at, 'id'), 'is required in an Interaction Component');
    const id = string(input.id, join(at, 'id'));
    if (id === '') fail(join(at, 'id'), 'must not be empty');
    if (seen.has(id)) fail(join(at, 'id'), 'Interaction Component ids must be distinct within a list');
    seen.add(id);
    const component: InteractionComponent = { id };
    if (input.description !== undefined)
      component.description = languageMap(input.description, join(at, 'description'));
    return component;
  });
}
