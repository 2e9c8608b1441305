/**
 * IRIs the badge engine recognises. Verbs can be written in rules by these short names or by full IRI.
 * ADL vocabulary (http://adlnet.gov/expapi/verbs/), cmi5 §9.3 (waived, satisfied, abandoned).
 */
export const verbs = {
  answered: 'http://adlnet.gov/expapi/verbs/answered',
  attempted: 'http://adlnet.gov/expapi/verbs/attempted',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  experienced: 'http://adlnet.gov/expapi/verbs/experienced',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  launched: 'http://adlnet.gov/expapi/verbs/launched',
  mastered: 'http://adlnet.gov/expapi/verbs/mastered',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  progressed: 'http://adlnet.gov/expapi/verbs/progressed',
  scored: 'http://adlnet.gov/expapi/verbs/scored',
  terminated: 'http://adlnet.gov/expapi/verbs/terminated',
  voided: 'http://adlnet.gov/expapi/verbs/voided',
  abandoned: 'https://w3id.org/xapi/adl/verbs/abandoned',
  satisfied: 'https://w3id.org/xapi/adl/verbs/satisfied',
  waived: 'https://w3id.org/xapi/adl/verbs/waived',
} as const;

export type VerbName = keyof typeof verbs;

export const activityTypes = {
  attempt: 'http://adlnet.gov/expapi/activities/attempt',
  assessment: 'http://adlnet.gov/expapi/activities/assessment',
  cmi5Course: 'https://w3id.org/xapi/cmi5/activitytype/course',
  cmi5Block: 'https://w3id.org/xapi/cmi5/activitytype/block',
} as const;

export const iris = {
  /** Learning Locker's info extension, set by Moodle's logstore_xapi on every statement. */
  moodleInfoExtension: 'http://lrs.learninglocker.net/define/extensions/info',
  cmi5Category: 'https://w3id.org/xapi/cmi5/context/categories/cmi5',
  h5pSubContentId: 'http://h5p.org/x-api/h5p-subContentId',
  h5pLibraryPrefix: 'http://h5p.org/libraries/',
  scormCategory: 'https://w3id.org/xapi/scorm',
} as const;

/** The full IRI for a short verb name; IRIs pass through unchanged. */
export function verbIri(verb: string): string {
  return (verbs as Record<string, string>)[verb] ?? verb;
}
