import { fail, iri, type Json, join, keys, object, onlyKeys, string } from './check.js';
import { isIri, isMailto, isSha1Hex } from './formats.js';
import type { Account, Actor, Agent, Group, Ifis } from './types.js';

const agentKeys = keys('objectType', 'name', 'mbox', 'mbox_sha1sum', 'openid', 'account');
const groupKeys = keys('objectType', 'name', 'member', 'mbox', 'mbox_sha1sum', 'openid', 'account');
const accountKeys = keys('homePage', 'name');

/** Reads the IFIs of an Agent or Group; returns how many were present (Data 2.4.2.3). */
function readIfis(value: Json, path: string, out: Ifis): number {
  let count = 0;
  if (value.mbox !== undefined) {
    const mbox = string(value.mbox, join(path, 'mbox'));
    if (!isMailto(mbox)) fail(join(path, 'mbox'), 'must be a mailto IRI ("mailto:" and an email address)');
    out.mbox = mbox;
    count++;
  }
  if (value.mbox_sha1sum !== undefined) {
    const sum = string(value.mbox_sha1sum, join(path, 'mbox_sha1sum'));
    if (!isSha1Hex(sum)) fail(join(path, 'mbox_sha1sum'), 'must be the hex-encoded SHA-1 of a mailto IRI');
    out.mbox_sha1sum = sum;
    count++;
  }
  if (value.openid !== undefined) {
    out.openid = iri(value.openid, join(path, 'openid'));
    count++;
  }
  if (value.account !== undefined) {
    out.account = readAccount(value.account, join(path, 'account'));
    count++;
  }
  return count;
}

function readAccount(value: unknown, path: string): Account {
  const account = object(value, path);
  onlyKeys(account, accountKeys, path);
  if (account.homePage === undefined) fail(join(path, 'homePage'), 'is required in an Account');
  if (account.name === undefined) fail(join(path, 'name'), 'is required in an Account');
  const homePage = string(account.homePage, join(path, 'homePage'));
  if (!isIri(homePage)) fail(join(path, 'homePage'), 'must be an IRL');
  return { homePage, name: string(account.name, join(path, 'name')) };
}

/** An Agent: optional objectType "Agent", optional name, exactly one IFI (Data 2.4.2.1). */
export function readAgent(value: unknown, path: string): Agent {
  const input = object(value, path);
  onlyKeys(input, agentKeys, path);
  const agent: Agent = {};
  if (input.objectType !== undefined) {
    if (input.objectType !== 'Agent') fail(join(path, 'objectType'), 'must be "Agent"');
    agent.objectType = 'Agent';
  }
  if (input.name !== undefined) agent.name = string(input.name, join(path, 'name'));
  const count = readIfis(input, path, agent);
  if (count !== 1) {
    fail(path, 'an Agent must have exactly one of mbox, mbox_sha1sum, openid, account');
  }
  return agent;
}

/**
 * A Group: objectType "Group"; anonymous (no IFI, `member` required) or identified (exactly one IFI);
 * members are Agents, never Groups (Data 2.4.2.2).
 */
export function readGroup(value: unknown, path: string): Group {
  const input = object(value, path);
  onlyKeys(input, groupKeys, path);
  if (input.objectType !== 'Group') fail(join(path, 'objectType'), 'must be "Group"');
  const group: Group = { objectType: 'Group' };
  if (input.name !== undefined) group.name = string(input.name, join(path, 'name'));
  const count = readIfis(input, path, group);
  if (count > 1) fail(path, 'a Group must have at most one of mbox, mbox_sha1sum, openid, account');
  if (input.member !== undefined) {
    const memberPath = join(path, 'member');
    if (!Array.isArray(input.member)) fail(memberPath, 'must be an array of Agents');
    group.member = input.member.map((member, i) => {
      const at = join(memberPath, i);
      if ((member as Json | null)?.objectType === 'Group')
        fail(at, 'Group members must be Agents, not Groups');
      return readAgent(member, at);
    });
  }
  if (count === 0 && (group.member === undefined || group.member.length === 0)) {
    fail(join(path, 'member'), 'an anonymous Group must list its members');
  }
  return group;
}

/** An Agent or a Group, by objectType. */
export function readActor(value: unknown, path: string): Actor {
  const input = object(value, path);
  return input.objectType === 'Group' ? readGroup(input, path) : readAgent(input, path);
}

/** The one IFI of an Agent or identified Group as a comparable string (undefined for anonymous Groups). */
export function ifiKey(actor: Ifis): string | undefined {
  if (actor.mbox !== undefined) return `mbox:${actor.mbox.toLowerCase()}`;
  if (actor.mbox_sha1sum !== undefined) return `sha1:${actor.mbox_sha1sum.toLowerCase()}`;
  if (actor.openid !== undefined) return `openid:${actor.openid}`;
  if (actor.account !== undefined) return `account:${actor.account.homePage} ${actor.account.name}`;
  return undefined;
}
