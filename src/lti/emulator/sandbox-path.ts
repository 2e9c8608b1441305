/** Where the sandbox's emulated platform lives inside Laurel (under PUBLIC_URL). */
export const sandboxPlatformPath = '/sandbox/platform';
