export * from './awards.js';
export * from './credentials.js';
export * from './issuers.js';
export * from './verify.js';
