import { createHash } from 'node:crypto';

/** An xAPI Agent (xAPI Data 2.4.2.1): exactly one inverse functional identifier. */
export interface XapiActor {
  objectType?: string;
  name?: string;
  mbox?: string;
  mbox_sha1sum?: string;
  openid?: string;
  account?: { homePage: string; name: string };
}

/** A learner as LTI knows them: `sub` within a platform, and the email from the launch or the NRPS roster. */
export interface PlatformUser {
  userId: string;
  sub: string;
  email?: string | null;
}

/**
 * Per-platform mapping rules, tried after the built-in ones: `account` says an actor account with this
 * homePage names the user by `sub` or by `email` (Moodle logstore with `send_username` needs a roster of
 * usernames and is not covered); `openid` says the actor's openid is `prefix + sub`.
 */
export type MappingRule =
  | { account: { homePage: string; name: 'sub' | 'email' } }
  | { openid: { prefix: string; name: 'sub' } };

export interface PlatformIdentity {
  /** The platform's LTI issuer. Moodle's is its site URL, which logstore_xapi sends as `account.homePage`. */
  issuer: string;
  /** More homePages whose account names are the LTI `sub` (logstore_xapi's `account_homepage` setting). */
  accountHomePages?: string[];
  mappings?: MappingRule[];
}

export type LinkVia = 'account' | 'mbox' | 'mbox_sha1sum' | 'openid';

export type LinkResult =
  | { status: 'linked'; userId: string; via: LinkVia; key: string }
  | { status: 'unknown'; key: string | undefined }
  | { status: 'ambiguous'; key: string; userIds: string[] };

/** A homePage/issuer reduced so that `https://Moodle.example.edu/` and `https://moodle.example.edu` agree. */
export function normalizeHomePage(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
}

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

/**
 * The canonical key of an actor's identifier, in the LRS's agent-key format (src/xapi `agents` column) but with
 * the account homePage normalised: `account:<homePage> <name>`, `mbox:mailto:<email lower-cased>`,
 * `sha1:<hex>`, `openid:<iri>`; undefined for a Group or an actor with none.
 */
export function actorKey(actor: XapiActor): { key: string; via: LinkVia } | undefined {
  if (actor.objectType === 'Group') return undefined;
  if (actor.account) {
    return {
      key: `account:${normalizeHomePage(actor.account.homePage)} ${actor.account.name}`,
      via: 'account',
    };
  }
  if (actor.mbox) return { key: `mbox:${actor.mbox.trim().toLowerCase()}`, via: 'mbox' };
  if (actor.mbox_sha1sum) return { key: `sha1:${actor.mbox_sha1sum.toLowerCase()}`, via: 'mbox_sha1sum' };
  if (actor.openid) return { key: `openid:${actor.openid}`, via: 'openid' };
  return undefined;
}

/**
 * Every key under which statements may name this user: the account on the issuer (Moodle: site URL + user id =
 * LTI `sub`) and extra homePages, the email as mbox and as sha1 of `mailto:email` (as sent and lower-cased), and
 * the platform's mapping rules. A store can keep these rows to link each statement with one lookup.
 */
export function userKeys(user: PlatformUser, platform: PlatformIdentity): string[] {
  const keys = new Set<string>();
  for (const homePage of [platform.issuer, ...(platform.accountHomePages ?? [])]) {
    keys.add(`account:${normalizeHomePage(homePage)} ${user.sub}`);
  }
  const email = user.email?.trim();
  if (email) {
    keys.add(`mbox:mailto:${email.toLowerCase()}`);
    keys.add(`sha1:${sha1(`mailto:${email}`)}`);
    keys.add(`sha1:${sha1(`mailto:${email.toLowerCase()}`)}`);
  }
  for (const rule of platform.mappings ?? []) {
    if ('account' in rule) {
      const name = rule.account.name === 'sub' ? user.sub : email;
      if (name) keys.add(`account:${normalizeHomePage(rule.account.homePage)} ${name}`);
    } else {
      keys.add(`openid:${rule.openid.prefix}${user.sub}`);
    }
  }
  return [...keys];
}

/**
 * Links an xAPI actor to one of a platform's users. An identifier shared by two users is `ambiguous` and links
 * nobody; an actor not (yet) known is `unknown`: its statements are kept and linked when the learner appears.
 */
export function linkActor(
  actor: XapiActor,
  users: readonly PlatformUser[],
  platform: PlatformIdentity,
): LinkResult {
  const found = actorKey(actor);
  if (found === undefined) return { status: 'unknown', key: undefined };
  const matches = users.filter((user) => userKeys(user, platform).includes(found.key)).map((u) => u.userId);
  const userIds = [...new Set(matches)].sort();
  if (userIds.length === 0) return { status: 'unknown', key: found.key };
  if (userIds.length > 1) return { status: 'ambiguous', key: found.key, userIds };
  return { status: 'linked', userId: userIds[0]!, via: found.via, key: found.key };
}
