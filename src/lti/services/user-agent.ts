import { readFileSync } from 'node:fs';

// src/lti/services/ and dist/lti/services/ are both three levels below package.json.
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** `Laurel/<version>`: the User-Agent of every LTI service call, so platform admins can tell Laurel's traffic. */
export const serviceUserAgent = `Laurel/${pkg.version}`;
