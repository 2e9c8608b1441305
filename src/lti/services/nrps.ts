import { z } from 'zod';
import { normalizeRoles } from '../roles.js';
import {
  linkOf,
  pages,
  parseServiceJson,
  type ServiceClient,
  type ServiceTarget,
  serviceInvalid,
  withQuery,
} from './client.js';
import { mediaType, nrpsScope } from './scopes.js';

/** One member of a context (NRPS 2.0 §3.6.2); roles are normalized to full LIS v2 URIs. */
export interface Member {
  userId: string;
  status: 'Active' | 'Inactive' | 'Deleted';
  roles: string[];
  name?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  picture?: string;
  lisPersonSourcedid?: string;
}

export interface Memberships {
  context?: { id: string; label?: string; title?: string };
  members: Member[];
  /** The `Link: rel="differences"` URL of the last page, when the platform offers changes since this read. */
  differencesUrl?: string;
  /** How many pages were read. */
  pageCount: number;
}

const optionalText = z
  .string()
  .nullish()
  .transform((value) => (value ? value : undefined));

const memberSchema = z.object({
  // Moodle sends its numeric user id as a string; accept a number too.
  user_id: z.union([z.string().min(1), z.number().transform(String)]),
  // NRPS 2.0 §3.6.2: status defaults to Active.
  status: z
    .enum(['Active', 'Inactive', 'Deleted'])
    .nullish()
    .transform((value) => value ?? 'Active'),
  roles: z.array(z.unknown()),
  name: optionalText,
  given_name: optionalText,
  family_name: optionalText,
  email: optionalText,
  picture: optionalText,
  lis_person_sourcedid: optionalText,
});

const containerSchema = z.object({
  context: z
    .object({
      id: z.union([z.string(), z.number().transform(String)]),
      label: optionalText,
      title: optionalText,
    })
    .nullish(),
  members: z.array(memberSchema),
});

function toMember(raw: z.infer<typeof memberSchema>): Member {
  const member: Member = { userId: raw.user_id, status: raw.status, roles: normalizeRoles(raw.roles) };
  if (raw.name) member.name = raw.name;
  if (raw.given_name) member.givenName = raw.given_name;
  if (raw.family_name) member.familyName = raw.family_name;
  if (raw.email) member.email = raw.email;
  if (raw.picture) member.picture = raw.picture;
  if (raw.lis_person_sourcedid) member.lisPersonSourcedid = raw.lis_person_sourcedid;
  return member;
}

export interface MembershipFilter {
  /** Only members with this role (NRPS 2.0 §3.6.1.1). */
  role?: string;
  /** Page size asked of the platform. */
  limit?: number;
  /** Members of one resource link (NRPS 2.0 §3.6.1.2 `rlid`). */
  resourceLinkId?: string;
}

/**
 * Reads a context's memberships (NRPS 2.0 §3.6), following `Link: rel="next"` across pages and noting the
 * `differences` link.
 * @throws AppError ERR_LTI_NRPS_REQUEST_REFUSED, ERR_LTI_NRPS_RESPONSE_INVALID, ERR_LTI_TOKEN_*, ERR_OUTBOUND_*.
 */
export async function readMemberships(
  client: ServiceClient,
  target: ServiceTarget,
  membershipsUrl: string,
  filter: MembershipFilter = {},
): Promise<Memberships> {
  const url = withQuery(membershipsUrl, {
    role: filter.role,
    limit: filter.limit,
    rlid: filter.resourceLinkId,
  });
  const call = {
    service: 'NRPS',
    scope: nrpsScope.contextMembershipReadonly,
    url,
    accept: mediaType.membershipContainer,
  } as const;
  const result: Memberships = { members: [], pageCount: 0 };
  for await (const page of pages(client, target, call, 'GET memberships')) {
    const parsed = containerSchema.safeParse(parseServiceJson('NRPS', page.res));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw serviceInvalid(
        'NRPS',
        `is not a membership container (${issue.path.join('.')}: ${issue.message})`,
      );
    }
    const { context, members } = parsed.data;
    if (context && !result.context) {
      result.context = {
        id: context.id,
        ...(context.label ? { label: context.label } : {}),
        ...(context.title ? { title: context.title } : {}),
      };
    }
    result.members.push(...members.map(toMember));
    result.pageCount += 1;
    const differences = linkOf(page.links, 'differences');
    if (differences) result.differencesUrl = differences;
  }
  return result;
}
