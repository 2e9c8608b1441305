import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { PlatformEmulator } from '../../src/lti/emulator/index.js';
import { Browser, type LtiHarness, readForm, startHarness } from '../http/lti/harness.js';

// Launch latency as issue 3 asks: login initiation + launch, the two requests Laurel answers, timed at the client
// over loopback HTTP (the emulator's authorization step is not counted). 1,000 sequential launches from a
// Moodle-like platform, beside GET /healthz (the HTTP floor) measured in the same run. Prints p50/p99 and ratios.
const launches = Number(process.env.BENCH_LAUNCHES ?? 1000);

let h: LtiHarness;
let moodle: PlatformEmulator;

beforeAll(async () => {
  h = await startHarness();
  moodle = (await h.addPlatform('moodle', 'moodle')).platform;
});

afterAll(async () => {
  await h.close();
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

it(`login + launch, ${launches} launches`, async () => {
  const floor: number[] = [];
  const login: number[] = [];
  const launch: number[] = [];
  const total: number[] = [];
  const users = Array.from({ length: 200 }, () =>
    moodle.newUser({ name: 'Bench User', email: 'bench@example.edu' }),
  );
  for (let i = 0; i < launches + 20; i++) {
    const browser = new Browser();
    const warm = i < 20;
    let t = process.hrtime.bigint();
    await browser.send(`${h.toolUrl}/healthz`);
    const healthz = ms(t);
    const params = moodle.prepareLaunch({
      user: users[i % users.length]!,
      roles: moodle.roles(i % 10 === 0 ? 'instructor' : 'learner'),
      context: { id: `course-${i % 20}` },
    });
    t = process.hrtime.bigint();
    const started = await browser.send(`${h.toolUrl}/lti/login?${new URLSearchParams(params)}`);
    const loginMs = ms(t);
    const form = readForm(
      (await browser.send(started.headers.get('location')!, { accept: 'text/html' })).text,
    );
    t = process.hrtime.bigint();
    const res = await browser.send(form.action, { form: form.fields });
    const launchMs = ms(t);
    expect(res.status).toBe(200);
    if (warm) continue;
    floor.push(healthz);
    login.push(loginMs);
    launch.push(launchMs);
    total.push(loginMs + launchMs);
  }
  const report = (name: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { name, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  const rows = [
    report('GET /healthz (floor)', floor),
    report('login', login),
    report('launch', launch),
    report('login + launch', total),
  ];
  const base = rows[0]!;
  const lines = rows.map(
    (r) =>
      `${r.name.padEnd(22)} p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  ` +
      `(x${(r.p50 / base.p50).toFixed(1)} / x${(r.p99 / base.p99).toFixed(1)} of the floor)`,
  );
  console.log(
    `launch latency over ${launches} launches (server + loopback, emulator excluded)\n${lines.join('\n')}`,
  );
});
