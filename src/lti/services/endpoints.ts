import { claim } from '../claims.js';

/** The service endpoints one launch offers (AGS 2.0 §3.1 endpoint claim, NRPS 2.0 §3.6.1 namesroleservice). */
export interface ServiceEndpoints {
  ags?: {
    /** The context's line items container. */
    lineItemsUrl?: string;
    /** The line item of this resource link, when the platform made one (coupled line item). */
    lineItemUrl?: string;
    scopes: string[];
  };
  nrps?: { membershipsUrl: string; serviceVersions: string[] };
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function object(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

/**
 * Reads the AGS and NRPS claims of a verified launch payload. The services are optional extras of a launch: a
 * claim that is absent or malformed (no usable URL) means the service is not offered, never a refused launch.
 */
export function parseServiceEndpoints(payload: Record<string, unknown>): ServiceEndpoints {
  const endpoints: ServiceEndpoints = {};
  const ags = object(payload[claim.agsEndpoint]);
  if (ags) {
    const lineItemsUrl = httpUrl(ags.lineitems);
    const lineItemUrl = httpUrl(ags.lineitem);
    if (lineItemsUrl || lineItemUrl) {
      endpoints.ags = {
        ...(lineItemsUrl ? { lineItemsUrl } : {}),
        ...(lineItemUrl ? { lineItemUrl } : {}),
        scopes: strings(ags.scope),
      };
    }
  }
  const nrps = object(payload[claim.nrpsService]);
  const membershipsUrl = httpUrl(nrps?.context_memberships_url);
  if (membershipsUrl) {
    endpoints.nrps = { membershipsUrl, serviceVersions: strings(nrps?.service_versions) };
  }
  return endpoints;
}
