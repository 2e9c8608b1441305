import { escapeHtml, page } from '../html.js';
import { ltiAssetsPath } from '../lti/scripts.js';
import { ruleExamples } from './examples.js';
import { courseScriptPath } from './scripts.js';

/** The path the course badges page is rendered at again (a form post carrying the session token). */
export const courseBadgesPath = '/lti/course/badges';

/** Who is looking, where: the line every launched page starts with. */
export interface CourseHeader {
  sessionToken: string;
  userName: string | undefined;
  roleLabel: string;
  courseTitle: string;
  platformName: string;
}

/** Links that claim an issued credential. */
export interface CredentialLinks {
  url: string;
  downloadUrl: string;
  pngUrl?: string;
  svgUrl?: string;
  verifyUrl: string;
  linkedInUrl: string;
}

export interface EarnedBadge {
  name: string;
  description: string;
  imageUrl?: string;
  awardedAt: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
  /** Set while the issuer has suspended the credential. */
  suspendedAt?: Date | null;
  suspensionReason?: string | null;
  /** Absent while the credential is being issued. */
  credential?: CredentialLinks;
}

export interface CourseAchievement {
  id: string;
  name: string;
  description: string;
  criteria: string;
  imageUrl?: string;
  library: boolean;
}

export interface AchievementAward {
  id: string;
  userId: string;
  learnerName: string | null;
  awardedAt: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
  /** Its credential's suspension; `suspendable` when the credential can be suspended (CREDENTIAL_SUSPENSION). */
  suspendedAt?: Date | null;
  suspensionReason?: string | null;
  suspendable?: boolean;
}

export interface ManagedAchievement extends CourseAchievement {
  /** The active rule, pretty-printed; null when the achievement has none. */
  ruleJson: string | null;
  awards: AchievementAward[];
}

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });
const date = (value: Date) =>
  `<time datetime="${value.toISOString()}">${escapeHtml(dateFormat.format(value))}</time>`;

function signedIn(header: CourseHeader): string {
  const who = header.userName ? escapeHtml(header.userName) : 'a user whose name the platform did not share';
  return `<p class="muted">Signed in as ${who} (${escapeHtml(header.roleLabel)}) in <strong>${escapeHtml(header.courseTitle)}</strong> on ${escapeHtml(header.platformName)}.</p>`;
}

function badgeImage(url: string | undefined): string {
  return url
    ? `<img class="badge-image" src="${escapeHtml(url)}" alt="" width="72" height="72">`
    : '<span class="badge-image badge-image-none" aria-hidden="true"></span>';
}

// The refresh form: scripts submit it after a change so the page is rendered again for the same session.
const refreshForm = `<form method="post" action="${courseBadgesPath}" data-session data-refresh hidden></form>`;

function layout(header: CourseHeader, view: 'learner' | 'instructor', title: string, body: string): string {
  return page({
    title,
    meta: { 'laurel-session': header.sessionToken },
    scripts: [`${ltiAssetsPath}/session.js`, courseScriptPath],
    body: `<main data-view="${view}"><h1>${escapeHtml(title)}</h1>${signedIn(header)}${body}${refreshForm}</main>`,
  });
}

function claimActions(links: CredentialLinks): string {
  const item = (href: string, text: string, extra = '') =>
    `<li><a href="${escapeHtml(href)}"${extra}>${text}</a></li>`;
  const newTab = ' target="_blank" rel="noopener"';
  return `<ul class="choices badge-actions">${[
    item(links.url, 'View credential', `${newTab} data-action="view"`),
    item(links.downloadUrl, 'Download JSON', ' download data-action="download"'),
    links.pngUrl ? item(links.pngUrl, 'Download PNG', ' download data-action="png"') : '',
    links.svgUrl ? item(links.svgUrl, 'Download SVG', ' download data-action="svg"') : '',
    item(links.verifyUrl, 'Verify', `${newTab} data-action="verify"`),
    item(links.linkedInUrl, 'Share on LinkedIn', `${newTab} data-action="linkedin"`),
  ].join('')}</ul>`;
}

const because = (reason: string | null | undefined) => (reason ? `: ${escapeHtml(reason)}` : '');

function earnedCard(badge: EarnedBadge): string {
  const status = badge.revokedAt
    ? `<p><span class="status status-fail">Revoked</span> on ${date(badge.revokedAt)}${because(badge.revocationReason)}</p>`
    : badge.suspendedAt
      ? `<p><span class="status status-fail">Suspended</span> since ${date(badge.suspendedAt)}${because(badge.suspensionReason)}. It does not verify until the issuer lifts the suspension.</p>`
      : '';
  const state = badge.revokedAt ? 'revoked' : badge.suspendedAt ? 'suspended' : 'active';
  const actions = badge.revokedAt
    ? ''
    : badge.credential
      ? claimActions(badge.credential)
      : '<p class="muted">Your credential is being issued: reload this page in a moment.</p>';
  return `<li class="badge-card" data-state="${state}">${badgeImage(badge.imageUrl)}<div><h3>${escapeHtml(badge.name)}</h3><p>${escapeHtml(badge.description)}</p><p class="muted">Awarded ${date(badge.awardedAt)}</p>${status}${actions}</div></li>`;
}

function earnableCard(a: CourseAchievement, earned: boolean): string {
  return `<li class="badge-card">${badgeImage(a.imageUrl)}<div><h3>${escapeHtml(a.name)}${earned ? ' <span class="status status-pass">Earned</span>' : ''}</h3><p>${escapeHtml(a.description)}</p><p><strong>How to earn it:</strong> ${escapeHtml(a.criteria)}</p></div></li>`;
}

/** The learner view: the badges they earned in the course, with the links to claim each, then what they can earn. */
export function learnerBadgesPage(input: {
  header: CourseHeader;
  earned: EarnedBadge[];
  achievements: (CourseAchievement & { earned: boolean })[];
}): string {
  const earned =
    input.earned.length === 0
      ? '<p class="muted">You have not earned a badge in this course yet.</p>'
      : `<ul class="badge-list" id="earned">${input.earned.map(earnedCard).join('')}</ul>`;
  const earnable =
    input.achievements.length === 0
      ? '<p class="muted">This course offers no badges yet.</p>'
      : `<ul class="badge-list" id="earnable">${input.achievements.map((a) => earnableCard(a, a.earned)).join('')}</ul>`;
  return layout(
    input.header,
    'learner',
    `My badges in ${input.header.courseTitle}`,
    `<section aria-labelledby="earned-heading"><h2 id="earned-heading">Earned</h2>${earned}</section><section aria-labelledby="earnable-heading"><h2 id="earnable-heading">Badges you can earn</h2>${earnable}</section>`,
  );
}

function awardRow(award: AchievementAward): string {
  const name = award.learnerName
    ? escapeHtml(award.learnerName)
    : `Learner <code>${award.userId.slice(0, 8)}</code>`;
  const failed = (label: string, at: Date, reason: string | null | undefined) =>
    `<span class="status status-fail">${label}</span> ${date(at)}${reason ? `<br><span class="muted">${escapeHtml(reason)}</span>` : ''}`;
  const status = award.revokedAt
    ? failed('Revoked', award.revokedAt, award.revocationReason)
    : award.suspendedAt
      ? failed('Suspended', award.suspendedAt, award.suspensionReason)
      : '<span class="status status-pass">Active</span>';
  // Revoke, suspend and unsuspend each ask a reason; scripts.ts posts it to /api/awards/{id}/{action}.
  const action = (kind: 'revoke' | 'suspend' | 'unsuspend', summary: string, button: string) =>
    `<details class="${kind}"><summary>${summary}</summary><form data-${kind}="${award.id}"><p><label for="${kind}-reason-${award.id}">Reason</label><input type="text" id="${kind}-reason-${award.id}" name="reason" required maxlength="500"></p><p class="field-error" data-error-for="reason" hidden></p><button type="submit">${button}</button></form></details>`;
  const actions = award.revokedAt
    ? ''
    : action('revoke', 'Revoke', 'Revoke badge') +
      (!award.suspendable
        ? ''
        : award.suspendedAt
          ? action('unsuspend', 'Lift suspension', 'Lift suspension')
          : action('suspend', 'Suspend', 'Suspend badge'));
  return `<tr data-award-id="${award.id}"><th scope="row">${name}</th><td>${date(award.awardedAt)}</td><td>${status}</td><td>${actions}</td></tr>`;
}

function examplesBar(target: string): string {
  return `<p class="examples"><span class="muted">Examples:</span> ${ruleExamples
    .map(
      (e) =>
        `<button type="button" class="secondary small" data-example-for="${target}" data-example="${escapeHtml(JSON.stringify(e.rule, null, 2))}">${escapeHtml(e.label)}</button>`,
    )
    .join(' ')}</p>`;
}

function ruleEditor(id: string, current: string | null): string {
  const field = `rule-${id}`;
  return `<form data-rule-form="${id}"><p><label for="${field}">Rule (JSON)</label><textarea id="${field}" name="rule" rows="8" spellcheck="false">${escapeHtml(current ?? '')}</textarea></p><p class="field-error" data-error-for="rule" hidden></p>${examplesBar(field)}<p><button type="submit">Save rule</button> <span class="muted" data-saved hidden>Saved.</span></p></form>`;
}

function achievementSection(a: ManagedAchievement): string {
  const active = a.awards.filter((w) => !w.revokedAt).length;
  const revoked = a.awards.length - active;
  const counts = `${active} earned${revoked ? `, ${revoked} revoked` : ''}`;
  const awards =
    a.awards.length === 0
      ? '<p class="muted">Nobody has earned it yet.</p>'
      : `<table class="awards"><thead><tr><th scope="col">Learner</th><th scope="col">Awarded</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>${a.awards.map(awardRow).join('')}</tbody></table>`;
  const rule = a.ruleJson
    ? `<pre class="rule" data-rule-json>${escapeHtml(a.ruleJson)}</pre>`
    : '<p class="muted">No rule yet: only a manual award gives this badge.</p>';
  const dryRun = a.ruleJson
    ? `<p><button type="button" class="secondary" data-dry-run="${a.id}">Who would earn this now</button></p><p class="muted" data-dry-run-summary="${a.id}" hidden></p><table class="checks dry-run" data-dry-run-result="${a.id}" hidden><thead><tr><th scope="col">Learner</th><th scope="col">Now</th><th scope="col">Progress</th></tr></thead><tbody></tbody></table>`
    : '';
  const editor = a.library
    ? '<p class="muted">A platform library badge: its rule is changed by a platform administrator.</p>'
    : `<details class="edit-rule"><summary>Edit the rule</summary>${ruleEditor(a.id, a.ruleJson)}</details>`;
  return `<section class="badge-admin" data-achievement-id="${a.id}"><div class="badge-card">${badgeImage(a.imageUrl)}<div><h3>${escapeHtml(a.name)}</h3><p class="muted" data-counts>${counts}${a.library ? ' · library' : ''}</p><p>${escapeHtml(a.description)}</p><p><strong>Criteria:</strong> ${escapeHtml(a.criteria)}</p></div></div><h4>Rule</h4>${rule}${editor}${dryRun}<h4>Who earned it</h4>${awards}</section>`;
}

function newBadgeForm(): string {
  const text = (id: string, label: string, extra = '') =>
    `<p><label for="new-${id}">${label}</label><input type="text" id="new-${id}" name="${id}"${extra}></p><p class="field-error" data-error-for="${id}" hidden></p>`;
  return `<details class="new-badge" id="new-badge"><summary>New badge</summary><form data-new-badge>${text('name', 'Name', ' required maxlength="300"')}<p><label for="new-description">Description</label><textarea class="prose" id="new-description" name="description" rows="3" required></textarea></p><p class="field-error" data-error-for="description" hidden></p><p><label for="new-criteria">Criteria (what a learner does to earn it)</label><textarea class="prose" id="new-criteria" name="criteria" rows="3" required></textarea></p><p class="field-error" data-error-for="criteria" hidden></p><p><label for="new-rule">Rule (JSON; empty for manual awards only)</label><textarea id="new-rule" name="rule" rows="8" spellcheck="false"></textarea></p><p class="field-error" data-error-for="rule" hidden></p>${examplesBar('new-rule')}<p class="field-error" data-error-for="form" hidden></p><p><button type="submit">Create badge</button></p></form></details>`;
}

/** The instructor view: the course's badges with their rule, who earned them, revoking, dry run, and new badges. */
export function instructorBadgesPage(input: {
  header: CourseHeader;
  achievements: ManagedAchievement[];
  members: { userId: string; name: string | null }[];
}): string {
  const list =
    input.achievements.length === 0
      ? '<p class="muted">This course has no badges yet: create the first one.</p>'
      : input.achievements.map(achievementSection).join('');
  // Names for the dry run's table (the API answers user ids): read by the script, never executed.
  const people = `<ul hidden data-people>${input.members.map((m) => `<li data-user-id="${m.userId}">${escapeHtml(m.name ?? '')}</li>`).join('')}</ul>`;
  return layout(
    input.header,
    'instructor',
    `Badges in ${input.header.courseTitle}`,
    `${newBadgeForm()}<h2>Course badges</h2>${list}${people}`,
  );
}
