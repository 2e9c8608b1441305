export {
  type EmulatedContext,
  type EmulatedUser,
  families,
  type LaunchRequest,
  type PlatformFamily,
} from './families.js';
export { createPlatformKey, type PlatformKey } from './keys.js';
export {
  type AuthorizationResult,
  type EmulatedTool,
  EmulatorError,
  PlatformEmulator,
  type PlatformEmulatorOptions,
  type PreparedLaunch,
  type SignOptions,
} from './platform.js';
export { emulatorAutopostScript, emulatorStorageScript, platformRouter } from './router.js';
