import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type Clock, systemClock } from '../../clock.js';
import { claim } from '../claims.js';
import {
  type EmulatedUser,
  type FamilyProfile,
  families,
  type LaunchRequest,
  type PlatformFamily,
} from './families.js';
import { createPlatformKey, type PlatformKey } from './keys.js';

/** The tool an emulated platform launches (what an admin would type into the LMS). */
export interface EmulatedTool {
  loginUrl: string;
  /** Redirect URIs the platform accepts in the authorization request; the first is the launch URL. */
  redirectUris: string[];
  /** Default target_link_uri of launches. */
  targetLinkUri: string;
  /** The tool's JWKS, used to verify Deep Linking responses. */
  jwksUrl?: string;
}

export interface PlatformEmulatorOptions {
  family: PlatformFamily;
  /** Where the emulator's router is reachable (no trailing slash). */
  baseUrl: string;
  /** OIDC issuer; default as the real platform: Moodle its site URL, Canvas `https://canvas.instructure.com`. */
  issuer?: string;
  clientId: string;
  deploymentId: string;
  tool: EmulatedTool;
  clock?: Clock;
  /** id_token lifetime; Moodle and Canvas both use 60 s. */
  idTokenTtlSeconds?: number;
  /** Override whether login initiation sends lti_storage_target (Canvas does by default). */
  storageTarget?: string | null;
}

/** How to sign an id_token: every part is overridable, so tests can build malformed tokens. */
export interface SignOptions {
  /** `none` builds an unsecured JWT; `HS256` uses `hmacSecret` or the public key's PEM (key confusion). */
  alg?: string;
  /** `null` leaves kid out of the header; default is the signing key's kid. */
  kid?: string | null;
  /** Sign with this key (e.g. another platform's) instead of the active one. */
  key?: PlatformKey;
  hmacSecret?: Uint8Array;
  /** Extra or replacing header fields (`typ`, `jku`...). */
  header?: Record<string, unknown>;
}

/** What a launch prepared by a test or the sandbox changes in the platform's normal behaviour. */
export interface PreparedLaunch extends LaunchRequest {
  /** Merged over the final payload; a key set to `undefined` is removed. */
  overrides?: Record<string, unknown>;
  /** Last word on the payload, after overrides. */
  mutate?: (payload: Record<string, unknown>) => Record<string, unknown>;
  sign?: SignOptions;
  /** Replaces the nonce the tool sent (a token that was not issued for this login). */
  nonce?: string;
  /** Extra login-initiation parameters, or `undefined` to drop one (e.g. client_id). */
  loginOverrides?: Record<string, string | undefined>;
}

export interface AuthorizationResult {
  /** The form the platform auto-posts: to `action`, with `fields` (id_token, state, ...). */
  action: string;
  fields: Record<string, string>;
}

/** An OIDC error from the authorization endpoint (OpenID Connect Core §3.1.2.6). */
export class EmulatorError extends Error {
  override readonly name = 'EmulatorError';
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * An LTI 1.3 platform in-process: its own RS256 keys and JWKS, OIDC third-party login initiation, an
 * authorization endpoint answering with a form_post id_token, and Deep Linking return. Moodle-like or
 * Canvas-like claim shapes. Used by tests and by the /sandbox page.
 */
export class PlatformEmulator {
  readonly family: PlatformFamily;
  readonly profile: FamilyProfile;
  readonly baseUrl: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly deploymentId: string;
  readonly tool: EmulatedTool;
  readonly clock: Clock;
  readonly idTokenTtlSeconds: number;
  readonly storageTarget: string | undefined;
  /** Keys published in the JWKS; the last one signs. */
  readonly keys: PlatformKey[] = [];
  /** Deep Linking responses the tool posted back, verified. */
  readonly deepLinkingResponses: JWTPayload[] = [];
  /** How many times the JWKS endpoint was fetched (to observe the tool's caching). */
  jwksRequests = 0;
  private readonly pending = new Map<string, PreparedLaunch>();
  private userCount = 0;

  private constructor(options: PlatformEmulatorOptions) {
    this.family = options.family;
    this.profile = families[options.family];
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.issuer = options.issuer ?? this.profile.fixedIssuer ?? this.baseUrl;
    this.clientId = options.clientId;
    this.deploymentId = options.deploymentId;
    this.tool = options.tool;
    this.clock = options.clock ?? systemClock;
    this.idTokenTtlSeconds = options.idTokenTtlSeconds ?? 60;
    this.storageTarget =
      options.storageTarget === undefined ? this.profile.storageTarget : (options.storageTarget ?? undefined);
  }

  /** Creates an emulator with one fresh signing key. */
  static async create(options: PlatformEmulatorOptions): Promise<PlatformEmulator> {
    const platform = new PlatformEmulator(options);
    await platform.rotateKey();
    return platform;
  }

  get endpoints(): {
    authLoginUrl: string;
    jwksUrl: string;
    authTokenUrl: string;
    deepLinkReturnUrl: string;
  } {
    const { paths } = this.profile;
    return {
      authLoginUrl: this.baseUrl + paths.auth,
      jwksUrl: this.baseUrl + paths.jwks,
      authTokenUrl: this.baseUrl + paths.token,
      deepLinkReturnUrl: this.baseUrl + paths.deepLinkReturn,
    };
  }

  /** The registration the tool stores for this platform (store/platforms NewPlatform minus id). */
  registration(): {
    issuer: string;
    clientId: string;
    name: string;
    authLoginUrl: string;
    authTokenUrl: string;
    jwksUrl: string;
    productFamilyCode: string;
  } {
    const { authLoginUrl, authTokenUrl, jwksUrl } = this.endpoints;
    return {
      issuer: this.issuer,
      clientId: this.clientId,
      name: `Emulated ${this.family}`,
      authLoginUrl,
      authTokenUrl,
      jwksUrl,
      productFamilyCode: this.profile.productFamilyCode,
    };
  }

  get signingKey(): PlatformKey {
    return this.keys[this.keys.length - 1]!;
  }

  /** Publishes a new key and signs with it from now on (old keys stay published). */
  async rotateKey(kid = `${this.family}-${randomBytes(6).toString('hex')}`): Promise<PlatformKey> {
    const key = await createPlatformKey(kid);
    this.keys.push(key);
    return key;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((key) => key.publicJwk) };
  }

  /** A user of this platform with a `sub` in the platform's own shape (Moodle numeric, Canvas opaque). */
  newUser(pii: Omit<EmulatedUser, 'sub'> = {}): EmulatedUser {
    return { sub: this.profile.newSub(this.userCount++), ...pii };
  }

  /** The roles this platform sends for a plain instructor or learner. */
  roles(kind: 'instructor' | 'learner'): string[] {
    return [...this.profile.roles[kind]];
  }

  /**
   * Registers a launch and returns the third-party login initiation parameters (LTI 1.3 Core §5.1.1)
   * the platform would send to the tool's login URL.
   */
  prepareLaunch(launch: PreparedLaunch): Record<string, string> {
    const hint = randomBytes(12).toString('base64url');
    this.pending.set(hint, launch);
    // Abandoned launches (a sandbox tab closed at login) must not pile up: keep the newest 1,000.
    if (this.pending.size > 1000) this.pending.delete(this.pending.keys().next().value!);
    const params: Record<string, string | undefined> = {
      iss: this.issuer,
      login_hint: launch.user.sub,
      target_link_uri: launch.targetLinkUri ?? this.tool.targetLinkUri,
      lti_message_hint: hint,
      client_id: this.clientId,
      lti_deployment_id: this.deploymentId,
      ...(this.storageTarget ? { lti_storage_target: this.storageTarget } : {}),
      ...launch.loginOverrides,
    };
    return Object.fromEntries(
      Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  }

  /** A platform course page framing the tool's login for `launch` (with the storage frame when offered). */
  framedLaunchUrl(launch: PreparedLaunch): string {
    return `${this.baseUrl}/emulator/frame?${new URLSearchParams(this.prepareLaunch(launch))}`;
  }

  /** The URL of a GET login initiation for `launch`. */
  loginUrl(launch: PreparedLaunch): string {
    return `${this.tool.loginUrl}?${new URLSearchParams(this.prepareLaunch(launch))}`;
  }

  /**
   * The OIDC authorization endpoint (LTI 1.3 Core §5.1.1.2, Security Framework §5.1.1.3): checks the tool's
   * authentication request and returns the form_post answer carrying the signed id_token.
   * @throws EmulatorError with an OIDC error code.
   */
  async authorize(params: Record<string, string | undefined>): Promise<AuthorizationResult> {
    const required = [
      'scope',
      'response_type',
      'response_mode',
      'prompt',
      'client_id',
      'redirect_uri',
      'login_hint',
      'nonce',
    ];
    for (const name of required) {
      if (!params[name]) throw new EmulatorError('invalid_request', `${name} is required`);
    }
    if (!params.scope!.split(' ').includes('openid'))
      throw new EmulatorError('invalid_scope', 'scope must include openid');
    if (params.response_type !== 'id_token')
      throw new EmulatorError('unsupported_response_type', 'response_type must be id_token');
    if (params.response_mode !== 'form_post')
      throw new EmulatorError('invalid_request', 'response_mode must be form_post');
    if (params.prompt !== 'none') throw new EmulatorError('invalid_request', 'prompt must be none');
    if (params.client_id !== this.clientId)
      throw new EmulatorError('unauthorized_client', 'unknown client_id');
    if (!this.tool.redirectUris.includes(params.redirect_uri!)) {
      throw new EmulatorError('invalid_request', 'redirect_uri is not registered');
    }
    const launch = params.lti_message_hint ? this.pending.get(params.lti_message_hint) : undefined;
    if (!launch) throw new EmulatorError('invalid_request', 'lti_message_hint is unknown or used');
    if (launch.user.sub !== params.login_hint)
      throw new EmulatorError('login_required', 'login_hint does not match');
    this.pending.delete(params.lti_message_hint!);
    const payload = this.idTokenPayload(launch, launch.nonce ?? params.nonce!);
    const fields: Record<string, string> = { id_token: await this.signIdToken(payload, launch.sign) };
    if (params.state !== undefined) fields.state = params.state;
    if (this.storageTarget) fields.lti_storage_target = this.storageTarget;
    return { action: params.redirect_uri!, fields };
  }

  /** The full id_token payload of `launch` for `nonce`, overrides applied. */
  idTokenPayload(launch: PreparedLaunch, nonce: string): Record<string, unknown> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const base: Record<string, unknown> = {
      iss: this.issuer,
      aud: this.clientId,
      ...(this.profile.sendsAzp ? { azp: this.clientId } : {}),
      iat: now,
      exp: now + this.idTokenTtlSeconds,
      nonce,
      ...this.profile.claims({
        request: launch,
        deploymentId: this.deploymentId,
        targetLinkUri: launch.targetLinkUri ?? this.tool.targetLinkUri,
        baseUrl: this.baseUrl,
        deepLinkReturnUrl: this.endpoints.deepLinkReturnUrl,
      }),
    };
    for (const [key, value] of Object.entries(launch.overrides ?? {})) {
      if (value === undefined) delete base[key];
      else base[key] = value;
    }
    return launch.mutate ? launch.mutate(base) : base;
  }

  /** Signs any payload as this platform would, or as a broken or hostile one would (`options`). */
  async signIdToken(payload: Record<string, unknown>, options: SignOptions = {}): Promise<string> {
    const key = options.key ?? this.signingKey;
    const alg = options.alg ?? 'RS256';
    const kid = options.kid === undefined ? key.kid : options.kid;
    const header: Record<string, unknown> = {
      typ: 'JWT',
      alg,
      ...(kid === null ? {} : { kid }),
      ...options.header,
    };
    if (alg === 'none') return `${b64(header)}.${b64(payload)}.`;
    const secret = alg.startsWith('HS')
      ? (options.hmacSecret ?? new TextEncoder().encode(key.publicPem))
      : key.privateKey;
    return new SignJWT(payload as JWTPayload).setProtectedHeader(header as { alg: string }).sign(secret);
  }

  /**
   * The Deep Linking return endpoint (Deep Linking 2.0 §4.5): verifies the tool's LtiDeepLinkingResponse
   * with the tool's JWKS and keeps it in `deepLinkingResponses`.
   * @throws EmulatorError invalid_request when the JWT does not verify.
   */
  async receiveDeepLinkingResponse(jwt: string): Promise<JWTPayload> {
    if (!this.tool.jwksUrl) throw new EmulatorError('invalid_request', 'the tool has no JWKS URL');
    try {
      const { payload } = await jwtVerify(jwt, createRemoteJWKSet(new URL(this.tool.jwksUrl)), {
        algorithms: ['RS256'],
        audience: this.issuer,
        issuer: this.clientId,
        currentDate: this.clock.now(),
      });
      if (payload[claim.messageType] !== 'LtiDeepLinkingResponse') {
        throw new EmulatorError('invalid_request', 'message_type must be LtiDeepLinkingResponse');
      }
      this.deepLinkingResponses.push(payload);
      return payload;
    } catch (error) {
      if (error instanceof EmulatorError) throw error;
      throw new EmulatorError(
        'invalid_request',
        `the Deep Linking response does not verify: ${(error as Error).message}`,
      );
    }
  }
}
