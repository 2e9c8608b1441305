import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { fixedClock } from '../../../src/clock.js';
import type { AppContext } from '../../../src/context.js';
import { createApp } from '../../../src/http/app.js';
import { PlatformEmulator, type PlatformFamily, platformRouter } from '../../../src/lti/emulator/index.js';
import {
  type EmulatedMember,
  PlatformServices,
  type PlatformServicesOptions,
} from '../../../src/lti/emulator/services.js';
import { servicesRouter } from '../../../src/lti/emulator/services-router.js';
import { createServiceClient, type ServiceClient } from '../../../src/lti/services/index.js';
import { insertPlatform, type Platform } from '../../../src/store/platforms.js';
import { testConfig, testContext } from '../../helpers/context.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

/** Laurel (serving its JWKS) and a host of emulated platforms, each on a loopback port, sharing one clock. */
export interface ServicesHarness {
  db: TestSchema;
  ctx: AppContext;
  clock: ReturnType<typeof fixedClock>;
  toolUrl: string;
  platformHostUrl: string;
  client: ServiceClient;
  addPlatform(
    name: string,
    family: PlatformFamily,
    options?: {
      services?: PlatformServicesOptions;
      /** Registered in Laurel under another client_id than the platform's (its assertions will be refused). */
      registeredClientId?: string;
      authTokenAudience?: string;
    },
  ): Promise<{ platform: PlatformEmulator; services: PlatformServices; registration: Platform }>;
  /** Serves `app` on another loopback port (another origin). */
  serve(app: express.Express): Promise<string>;
  close(): Promise<void>;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

export async function startServicesHarness(): Promise<ServicesHarness> {
  const db = await createTestSchema();
  const clock = fixedClock(new Date());
  const servers: http.Server[] = [];
  const toolServer = http.createServer();
  servers.push(toolServer);
  const toolUrl = await listen(toolServer);
  const ctx = await testContext(db, {
    clock,
    config: testConfig({ PUBLIC_URL: toolUrl, OUTBOUND_ALLOW_PRIVATE: 'true' }),
  });
  toolServer.on('request', createApp(ctx));
  const host = express();
  const platformServer = http.createServer(host);
  servers.push(platformServer);
  const platformHostUrl = await listen(platformServer);

  return {
    db,
    ctx,
    clock,
    toolUrl,
    platformHostUrl,
    client: createServiceClient(ctx),
    async addPlatform(name, family, options = {}) {
      const platform = await PlatformEmulator.create({
        family,
        baseUrl: `${platformHostUrl}/${name}`,
        clientId: `client-${name}`,
        deploymentId: '1',
        tool: {
          loginUrl: `${toolUrl}/lti/login`,
          redirectUris: [`${toolUrl}/lti/launch`],
          targetLinkUri: `${toolUrl}/lti/launch`,
          jwksUrl: `${toolUrl}/.well-known/jwks.json`,
        },
        clock,
      });
      const services = new PlatformServices(platform, options.services);
      host.use(`/${name}`, platformRouter(platform), servicesRouter(services));
      const registration = await insertPlatform(db.pool, {
        id: ctx.newId(),
        ...platform.registration(),
        ...(options.registeredClientId ? { clientId: options.registeredClientId } : {}),
        authTokenAudience: options.authTokenAudience ?? null,
      });
      if (!registration) throw new Error('platform already registered');
      return { platform, services, registration };
    },
    async serve(app) {
      const server = http.createServer(app);
      servers.push(server);
      return listen(server);
    },
    async close() {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
      await db.drop();
    },
  };
}

/** `count` members of a platform with names and emails: the first is the instructor, the others learners. */
export function seedMembers(platform: PlatformEmulator, count: number): EmulatedMember[] {
  return Array.from({ length: count }, (_, index) => {
    const user = platform.newUser({
      name: `Person ${index}`,
      given_name: 'Person',
      family_name: String(index),
      email: `person${index}@example.edu`,
    });
    return { user, roles: platform.roles(index === 0 ? 'instructor' : 'learner') };
  });
}
