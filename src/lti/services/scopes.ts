/** OAuth 2 scopes of Assignment and Grade Services 2.0 §3.1 and Names and Role Provisioning Services 2.0 §3.6. */
export const agsScope = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;

export const nrpsScope = {
  contextMembershipReadonly: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

export const serviceScopes: readonly string[] = [...Object.values(agsScope), ...Object.values(nrpsScope)];

/** Media types of AGS 2.0 §3.2-3.4 and NRPS 2.0 §3.6. */
export const mediaType = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
  resultContainer: 'application/vnd.ims.lis.v2.resultcontainer+json',
  membershipContainer: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
} as const;

/** RFC 7523 §2.2: the client assertion type of a JWT used for client authentication. */
export const jwtBearerAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
