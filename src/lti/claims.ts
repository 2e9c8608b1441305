/** Claim names of LTI 1.3 Core §5.3-5.4 and Deep Linking 2.0 §4.4-4.5, spelled as the specs spell them. */
const lti = 'https://purl.imsglobal.org/spec/lti/claim/';
const dl = 'https://purl.imsglobal.org/spec/lti-dl/claim/';

export const claim = {
  messageType: `${lti}message_type`,
  version: `${lti}version`,
  deploymentId: `${lti}deployment_id`,
  targetLinkUri: `${lti}target_link_uri`,
  resourceLink: `${lti}resource_link`,
  roles: `${lti}roles`,
  context: `${lti}context`,
  toolPlatform: `${lti}tool_platform`,
  launchPresentation: `${lti}launch_presentation`,
  custom: `${lti}custom`,
  lis: `${lti}lis`,
  roleScopeMentor: `${lti}role_scope_mentor`,
  lti11LegacyUserId: `${lti}lti11_legacy_user_id`,
  ext: `${lti}ext`,
  deepLinkingSettings: `${dl}deep_linking_settings`,
  deepLinkingData: `${dl}data`,
  deepLinkingContentItems: `${dl}content_items`,
  deepLinkingMsg: `${dl}msg`,
  deepLinkingErrorMsg: `${dl}errormsg`,
  agsEndpoint: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrpsService: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
} as const;

export const ltiVersion = '1.3.0';

export const messageTypes = ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'] as const;
export type MessageType = (typeof messageTypes)[number];

/** LIS v2 vocabularies (LTI 1.3 Core §A.2). */
export const roleVocab = {
  membership: 'http://purl.imsglobal.org/vocab/lis/v2/membership#',
  institution: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#',
  system: 'http://purl.imsglobal.org/vocab/lis/v2/system/person#',
} as const;
