// Module hooks for worker threads started from the TypeScript sources (under jest). Jest compiles our .ts
// files with @swc/jest, but a worker thread is a fresh Node instance that bypasses jest's transform: these
// hooks do the same compilation (same swc options as jest.config.js) and map our `./x.js` specifiers to the
// `./x.ts` files, as jest's moduleNameMapper does. The built `dist/` never uses them.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const source = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(source)) return { url: source.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const { code } = await swc.transform(await readFile(new URL(url), 'utf8'), {
    filename: fileURLToPath(url),
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  });
  return { format: 'module', source: code, shortCircuit: true };
}
