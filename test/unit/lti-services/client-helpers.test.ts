import { describe, expect, it } from '@jest/globals';
import { claim } from '../../../src/lti/claims.js';
import { appendPath, linkOf, parseLinkHeader, withQuery } from '../../../src/lti/services/client.js';
import { parseServiceEndpoints } from '../../../src/lti/services/endpoints.js';

describe('parseLinkHeader (RFC 8288)', () => {
  it('reads Canvas-style headers with several relations, resolving relative targets', () => {
    const header =
      '<https://canvas.test/api/lti/courses/1/names_and_roles?page=1&per_page=2>; rel="current",' +
      '<https://canvas.test/api/lti/courses/1/names_and_roles?page=2&per_page=2>; rel="next",' +
      '</api/lti/courses/1/names_and_roles?page=1>; rel="first", <?page=9>; rel=last';
    const links = parseLinkHeader(header, 'https://canvas.test/api/lti/courses/1/names_and_roles');
    expect(linkOf(links, 'next')).toBe(
      'https://canvas.test/api/lti/courses/1/names_and_roles?page=2&per_page=2',
    );
    expect(linkOf(links, 'first')).toBe('https://canvas.test/api/lti/courses/1/names_and_roles?page=1');
    expect(linkOf(links, 'last')).toBe('https://canvas.test/api/lti/courses/1/names_and_roles?page=9');
  });

  it('reads repeated headers, space-separated relations and extra parameters', () => {
    const links = parseLinkHeader(
      ['<https://m.test/a?p=2>; title="more"; rel="next prefetch"', '<https://m.test/d>; rel="differences"'],
      'https://m.test/a',
    );
    expect(linkOf(links, 'next')).toBe('https://m.test/a?p=2');
    expect(linkOf(links, 'prefetch')).toBe('https://m.test/a?p=2');
    expect(linkOf(links, 'differences')).toBe('https://m.test/d');
  });

  it('ignores what does not parse', () => {
    expect(parseLinkHeader(undefined, 'https://m.test/')).toEqual([]);
    expect(parseLinkHeader('<https://m.test/x>', 'https://m.test/')).toEqual([]);
    expect(linkOf(parseLinkHeader('garbage; rel="next"', 'https://m.test/'), 'next')).toBeUndefined();
  });
});

describe('service URLs', () => {
  it('appends a path segment before the query (Moodle keeps type_id in the query)', () => {
    expect(appendPath('https://m.test/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1', 'scores')).toBe(
      'https://m.test/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=1',
    );
    expect(appendPath('https://c.test/api/lti/courses/1/line_items/3/', 'results')).toBe(
      'https://c.test/api/lti/courses/1/line_items/3/results',
    );
  });

  it('adds query parameters, keeping the ones there', () => {
    expect(withQuery('https://m.test/x?type_id=1', { limit: 5, tag: undefined, role: 'Learner' })).toBe(
      'https://m.test/x?type_id=1&limit=5&role=Learner',
    );
  });
});

describe('parseServiceEndpoints', () => {
  it('reads the AGS endpoint and NRPS claims', () => {
    expect(
      parseServiceEndpoints({
        [claim.agsEndpoint]: {
          scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score', 7],
          lineitems: 'https://m.test/lineitems?type_id=1',
          lineitem: 'https://m.test/lineitems/1/lineitem?type_id=1',
        },
        [claim.nrpsService]: {
          context_memberships_url: 'https://m.test/memberships',
          service_versions: ['1.0', '2.0'],
        },
      }),
    ).toEqual({
      ags: {
        lineItemsUrl: 'https://m.test/lineitems?type_id=1',
        lineItemUrl: 'https://m.test/lineitems/1/lineitem?type_id=1',
        scopes: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'],
      },
      nrps: { membershipsUrl: 'https://m.test/memberships', serviceVersions: ['1.0', '2.0'] },
    });
  });

  it('treats absent or malformed claims as services not offered', () => {
    expect(parseServiceEndpoints({})).toEqual({});
    expect(
      parseServiceEndpoints({
        [claim.agsEndpoint]: { lineitems: 'javascript:alert(1)', scope: 'x' },
        [claim.nrpsService]: { context_memberships_url: 42 },
      }),
    ).toEqual({});
    expect(parseServiceEndpoints({ [claim.agsEndpoint]: [], [claim.nrpsService]: 'x' })).toEqual({});
  });
});
