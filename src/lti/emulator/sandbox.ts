import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { findPlatformByIssuerAndClient, insertPlatform, type Platform } from '../../store/platforms.js';
import type { EmulatedContext, EmulatedUser } from './families.js';
import { PlatformEmulator } from './platform.js';
import { platformRouter } from './router.js';
import { sandboxPlatformPath } from './sandbox-path.js';
import { type EmulatedMember, PlatformServices } from './services.js';
import { servicesRouter } from './services-router.js';

export const sandboxClientId = 'laurel-sandbox';

export const demoCourse: EmulatedContext = { id: 'demo', label: 'DEMO101', title: 'Demo course' };

const instructor: EmulatedUser = {
  sub: '2',
  name: 'Ada Lovelace',
  given_name: 'Ada',
  family_name: 'Lovelace',
  email: 'ada@sandbox.invalid',
};
const learners: EmulatedUser[] = [
  { sub: '3', name: 'Alan Turing', given_name: 'Alan', family_name: 'Turing', email: 'alan@sandbox.invalid' },
  {
    sub: '4',
    name: 'Grace Hopper',
    given_name: 'Grace',
    family_name: 'Hopper',
    email: 'grace@sandbox.invalid',
  },
  { sub: '5', name: 'Katherine Johnson', given_name: 'Katherine', family_name: 'Johnson' },
];

export type SandboxRole = 'instructor' | 'learner';

/** The sandbox: a Moodle-like platform inside this Laurel, registered in it, with a demo course. */
export interface Sandbox {
  platform: PlatformEmulator;
  services: PlatformServices;
  registration: Platform;
  /** Serves the emulated platform; mount it at `sandboxPlatformPath`. */
  router: Router;
  /** The emulated course page that frames Laurel's login for a launch as `role` of the demo course. */
  launchUrl(role: SandboxRole): string;
}

/**
 * Creates the emulated platform at `PUBLIC_URL/sandbox/platform` and registers it in Laurel (once: the issuer and
 * client id are stable, the keys are new each start and read from the platform's JWKS).
 */
export async function createSandbox(ctx: Pick<AppContext, 'config' | 'pool' | 'newId'>): Promise<Sandbox> {
  const publicUrl = ctx.config.publicUrl;
  const platform = await PlatformEmulator.create({
    family: 'moodle',
    baseUrl: `${publicUrl}${sandboxPlatformPath}`,
    clientId: sandboxClientId,
    deploymentId: '1',
    tool: {
      loginUrl: `${publicUrl}/lti/login`,
      redirectUris: [`${publicUrl}/lti/launch`],
      targetLinkUri: `${publicUrl}/lti/launch`,
      jwksUrl: `${publicUrl}/.well-known/jwks.json`,
    },
  });
  const services = new PlatformServices(platform);
  const members: EmulatedMember[] = [
    { user: instructor, roles: platform.roles('instructor') },
    ...learners.map((user) => ({ user, roles: platform.roles('learner') })),
  ];
  services.addCourse(demoCourse, members);
  const registration =
    (await insertPlatform(ctx.pool, {
      id: ctx.newId(),
      ...platform.registration(),
      name: 'Sandbox (emulated Moodle)',
    })) ?? (await findPlatformByIssuerAndClient(ctx.pool, platform.issuer, sandboxClientId))!;
  const router = Router();
  router.use(platformRouter(platform), servicesRouter(services));
  return {
    platform,
    services,
    registration,
    router,
    launchUrl(role) {
      return platform.framedLaunchUrl({
        user: role === 'instructor' ? instructor : learners[0]!,
        roles: platform.roles(role),
        context: demoCourse,
        resourceLink: { id: 'demo-badges', title: 'Badges' },
        overrides: services.launchClaims(demoCourse.id),
      });
    },
  };
}
