import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { PlatformEmulator } from '../../../src/lti/emulator/index.js';
import { Browser, type LtiHarness, launchThrough, readForm, readMeta, startHarness } from './harness.js';

const logLines: string[] = [];
let h: LtiHarness;
let canvas: PlatformEmulator;

beforeAll(async () => {
  h = await startHarness({ logLines });
  canvas = (await h.addPlatform('canvas', 'canvas')).platform;
});

afterAll(async () => {
  await h.close();
});

it('logs no id_token, state, nonce, browser binding or session token', async () => {
  const trace = await launchThrough(
    h,
    canvas,
    { user: canvas.newUser({ email: 'private@example.edu' }), roles: canvas.roles('learner') },
    { launchBrowser: new Browser() },
  );
  const form = readForm(trace.launch!.text);
  const launched = await new Browser().send(form.action, {
    form: { ...form.fields, lti_binding: trace.stored!.value },
  });
  expect(launched.status).toBe(200);
  await new Browser().send(form.action, { form: form.fields }); // a refused replay is logged too
  const secrets = [
    form.fields.id_token!,
    form.fields.id_token!.split('.')[2]!,
    form.fields.state!,
    trace.authUrl!.searchParams.get('nonce')!,
    trace.stored!.value,
    readMeta(launched.text, 'laurel-session')!,
    'private@example.edu',
  ];
  const all = logLines.join('');
  expect(all).toContain('"path":"/lti/launch"');
  for (const secret of secrets) expect(all).not.toContain(secret);
});
