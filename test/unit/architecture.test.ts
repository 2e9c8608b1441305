import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

// STYLE.md: dependencies point inward. `http` knows HTTP and nothing imports it (but the entry points);
// `badges` and `credentials` are pure: no pg, no express, no process.env, no clock.
const src = path.resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const sources = files(src).map((file) => {
  const text = readFileSync(file, 'utf8');
  const imports = [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1]!,
  );
  const dynamic = [...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
  return { rel: path.relative(src, file), text, imports: [...imports, ...dynamic] };
});

function resolved(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return path.relative(src, path.resolve(path.dirname(path.join(src, from)), specifier));
}

const entryPoints = new Set(['main.ts', 'serve.ts']);

describe('architecture', () => {
  it('nothing outside http/ and the entry points imports http/', () => {
    const offenders = sources
      .filter((s) => !s.rel.startsWith('http/') && !entryPoints.has(s.rel) && !s.rel.startsWith('cli/'))
      .flatMap((s) =>
        s.imports.filter((i) => resolved(s.rel, i)?.startsWith('http/')).map((i) => `${s.rel} -> ${i}`),
      );
    expect(offenders).toEqual([]);
  });

  it('only http/ imports express', () => {
    const offenders = sources
      .filter((s) => !s.rel.startsWith('http/') && !s.rel.startsWith('lti/emulator/'))
      .filter((s) => s.imports.some((i) => i === 'express' || i.startsWith('express/')))
      .map((s) => s.rel);
    expect(offenders).toEqual([]);
  });

  it.each(['badges/', 'credentials/'])(
    '%s is pure: no pg, express, process.env, clock or store',
    (domain) => {
      const offenders = sources
        .filter((s) => s.rel.startsWith(domain))
        .flatMap((s) => {
          const bad = s.imports.filter(
            (i) =>
              i === 'pg' || i === 'express' || /(^|\/)(store|http|jobs)(\/|$)/.test(resolved(s.rel, i) ?? ''),
          );
          if (/process\.env|new Date\(\)|Date\.now\(\)/.test(s.text))
            bad.push('process.env/Date.now/new Date()');
          return bad.map((b) => `${s.rel}: ${b}`);
        });
      expect(offenders).toEqual([]);
    },
  );

  it('only config.ts reads process.env', () => {
    const offenders = sources
      .filter((s) => s.rel !== 'config.ts' && /process\.env\b/.test(s.text))
      .map((s) => s.rel);
    expect(offenders).toEqual([]);
  });
});
