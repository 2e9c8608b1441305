import base from './jest.config.js';

/** Benchmarks: `npm run bench -- test/bench/<name>`; never part of `npm test`. */
export default {
  ...base,
  testMatch: ['**/test/bench/**/*.bench.ts'],
  testPathIgnorePatterns: [],
  testTimeout: 600000,
};
