import { roleVocab } from './claims.js';

/** What a launch's roles let a user do in Laurel. */
export type RoleKind = 'instructor' | 'learner' | 'admin';

// LTI 1.1 URNs still sent by some platforms (LTI 1.3 Core §A.2 lists their LIS v2 equivalents).
const legacyPrefixes: [string, string][] = [
  ['urn:lti:role:ims/lis/', roleVocab.membership],
  ['urn:lti:instrole:ims/lis/', roleVocab.institution],
  ['urn:lti:sysrole:ims/lis/', roleVocab.system],
];

/**
 * Full LIS v2 role URIs from what a platform sent: full URIs are kept, context role short names
 * ("Instructor", LTI 1.3 Core §A.2.3.1) and LTI 1.1 URNs expanded, empty and non-string entries dropped,
 * unknown roles kept as sent.
 */
export function normalizeRoles(raw: readonly unknown[]): string[] {
  const roles = new Set<string>();
  for (const entry of raw) {
    if (typeof entry !== 'string') continue;
    const role = entry.trim();
    if (role === '') continue;
    const legacy = legacyPrefixes.find(([prefix]) => role.startsWith(prefix));
    if (legacy) roles.add(legacy[1] + role.slice(legacy[0].length).replace('/', '#'));
    else if (/^[A-Za-z]+(#[A-Za-z]+)?$/.test(role)) {
      const [main, sub] = role.split('#');
      roles.add(
        sub
          ? `http://purl.imsglobal.org/vocab/lis/v2/membership/${main}#${sub}`
          : roleVocab.membership + main,
      );
    } else roles.add(role);
  }
  return [...roles];
}

const instructorRoles = new Set(
  ['Instructor', 'ContentDeveloper', 'Administrator'].map((name) => roleVocab.membership + name),
);
const adminRoles = new Set([
  `${roleVocab.system}Administrator`,
  `${roleVocab.system}SysAdmin`,
  `${roleVocab.institution}Administrator`,
]);

/** The kinds of user the (normalized) roles make: instructor, learner, admin; none for unknown roles. */
export function roleKinds(roles: readonly string[]): Set<RoleKind> {
  const kinds = new Set<RoleKind>();
  for (const role of roles) {
    if (
      instructorRoles.has(role) ||
      role.startsWith('http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#')
    ) {
      kinds.add('instructor');
    }
    if (
      role === `${roleVocab.membership}Learner` ||
      role.startsWith('http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#')
    ) {
      kinds.add('learner');
    }
    if (adminRoles.has(role)) kinds.add('admin');
  }
  return kinds;
}
