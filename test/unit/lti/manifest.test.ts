import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  canvasConfiguration,
  loadManifest,
  type Manifest,
  manifestFile,
  parseManifest,
  registrationRequest,
  toolUrls,
} from '../../../src/lti/manifest.js';

const publicUrl = 'https://laurel.example.edu';
const toolConfig = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
let dir: string;
let original: Record<string, any>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'laurel-manifest-'));
  original = JSON.parse(await readFile(manifestFile, 'utf8'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function copyWith(change: (json: Record<string, any>) => void): Promise<Manifest> {
  const json = structuredClone(original);
  change(json);
  const file = path.join(dir, `manifest-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(json));
  return loadManifest(file);
}

describe('manifest.json', () => {
  it('is valid and names Laurel', async () => {
    const manifest = await loadManifest();
    expect(manifest.title).toBe('Laurel');
    expect(manifest.placements.map((p) => p.placement)).toEqual([
      'course_navigation',
      'link_selection',
      'assignment_selection',
    ]);
  });

  it('derives the Dynamic Registration request (LTI DR 1.0 §3.3)', async () => {
    const body = registrationRequest(await loadManifest(), publicUrl);
    expect(body).toMatchObject({
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: `${publicUrl}/lti/login`,
      redirect_uris: [`${publicUrl}/lti/launch`],
      client_name: 'Laurel',
      jwks_uri: `${publicUrl}/.well-known/jwks.json`,
      logo_uri: `${publicUrl}/assets/laurel-icon.svg`,
      token_endpoint_auth_method: 'private_key_jwt',
    });
    expect(body.scope.split(' ')).toEqual(original.scopes);
    const config = body[toolConfig];
    expect(config.domain).toBe('laurel.example.edu');
    expect(config.target_link_uri).toBe(`${publicUrl}/lti/launch`);
    expect(config.claims).toEqual(original.claims);
    expect(config['https://canvas.instructure.com/lti/privacy_level']).toBe('public');
    expect(config.messages).toEqual([
      expect.objectContaining({ type: 'LtiResourceLinkRequest', placements: ['course_navigation'] }),
      expect.objectContaining({
        type: 'LtiDeepLinkingRequest',
        placements: ['link_selection'],
        roles: expect.any(Array),
      }),
      expect.objectContaining({ type: 'LtiDeepLinkingRequest', placements: ['assignment_selection'] }),
    ]);
    expect(config.messages[0]).not.toHaveProperty('roles');
  });

  it('asks only for the scopes the platform supports', async () => {
    const body = registrationRequest(await loadManifest(), publicUrl, {
      scopesSupported: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'],
    });
    expect(body.scope).toBe('https://purl.imsglobal.org/spec/lti-ags/scope/score');
  });

  it('derives the Canvas LTI 1.3 tool configuration', async () => {
    const canvas = canvasConfiguration(await loadManifest(), publicUrl) as Record<string, any>;
    expect(canvas).toMatchObject({
      title: 'Laurel',
      oidc_initiation_url: `${publicUrl}/lti/login`,
      target_link_uri: `${publicUrl}/lti/launch`,
      public_jwk_url: `${publicUrl}/.well-known/jwks.json`,
      scopes: original.scopes,
    });
    const [extension] = canvas.extensions;
    expect(extension).toMatchObject({
      platform: 'canvas.instructure.com',
      privacy_level: 'public',
      domain: 'laurel.example.edu',
    });
    expect(extension.settings.placements.map((p: any) => [p.placement, p.message_type])).toEqual([
      ['course_navigation', 'LtiResourceLinkRequest'],
      ['link_selection', 'LtiDeepLinkingRequest'],
      ['assignment_selection', 'LtiDeepLinkingRequest'],
    ]);
    expect(extension.settings.placements[0].visibility).toBe('members');
  });

  it('changing manifest.json changes both outputs', async () => {
    const changed = await copyWith((json) => {
      json.title = 'Laurel Test';
      json.paths.login = '/lti/other-login';
      json.scopes = ['https://purl.imsglobal.org/spec/lti-ags/scope/score'];
      json.placements = json.placements.filter((p: any) => p.placement !== 'assignment_selection');
      json.customParameters = { term: '$CourseSection.sourcedId' };
      json.claims = ['iss', 'sub', 'name'];
    });
    const body = registrationRequest(changed, publicUrl);
    const canvas = canvasConfiguration(changed, publicUrl) as Record<string, any>;
    expect(body.client_name).toBe('Laurel Test');
    expect(canvas.title).toBe('Laurel Test');
    expect(body.initiate_login_uri).toBe(`${publicUrl}/lti/other-login`);
    expect(canvas.oidc_initiation_url).toBe(`${publicUrl}/lti/other-login`);
    expect(body.scope).toBe('https://purl.imsglobal.org/spec/lti-ags/scope/score');
    expect(canvas.scopes).toEqual(['https://purl.imsglobal.org/spec/lti-ags/scope/score']);
    expect(body[toolConfig].messages).toHaveLength(2);
    expect(canvas.extensions[0].settings.placements).toHaveLength(2);
    expect(body[toolConfig].custom_parameters).toEqual({ term: '$CourseSection.sourcedId' });
    expect(canvas.custom_fields).toEqual({ term: '$CourseSection.sourcedId' });
    expect(body[toolConfig].claims).toEqual(['iss', 'sub', 'name']);
    expect(body[toolConfig]['https://canvas.instructure.com/lti/privacy_level']).toBe('name_only');
    expect(canvas.extensions[0].privacy_level).toBe('name_only');
  });

  it('follows PUBLIC_URL, port included', async () => {
    const urls = toolUrls(await loadManifest(), 'http://localhost:3000/');
    expect(urls.domain).toBe('localhost:3000');
    expect(urls.dynamicRegistration).toBe('http://localhost:3000/lti/register');
  });

  it('refuses an invalid manifest naming the field', async () => {
    expect(() => parseManifest({ ...original, paths: { ...original.paths, login: 'lti/login' } })).toThrow(
      /paths\.login/,
    );
    expect(() => parseManifest({ ...original, extra: true })).toThrow(/manifest\.json/);
    await expect(copyWith((json) => delete json.title)).rejects.toThrow(/title/);
  });
});
