import { raw, type EntityManager, type FilterQuery } from '@mikro-orm/core';
import { emitEvent } from '../webhook';
import type { Config } from '../../common/config';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { build } from '../../common/orm';
import { flushAudited, recordAudit, type AuditActor } from '../audit';
import { sendSmsReply, SMS_SECRET_MASK, type SmsReplySecret } from '../sms';
import type { AccessCodeChecker } from './access-code.checker';
import {
  AccessCode,
  AccessCodeAlphabet,
  AccessCodeCheck,
  AccessCodeCheckResult,
  AccessCodeKind,
  AccessCodeRoute,
  AccessCodeService,
  AccessCodeStatus,
} from './access-code.entity';
import { codeLookup, newServiceSecret, openCode, sealCode } from './access-code.crypto';
import {
  codeCharacters,
  kindHasPeriod,
  kindHasUses,
  MAX_CODE_LENGTH,
  MAX_USES,
  MAX_VALIDITY_SECONDS,
  MIN_ALPHABET_SIZE,
  MIN_CODE_LENGTH,
  MIN_VALIDITY_SECONDS,
  normaliseExcluded,
  placeholderValues,
  randomCode,
  renderTemplate,
  templateProblem,
  validIpEntry,
} from './access-code.rules';
import { MAX_EXPORT_ROWS } from './access-code.types';
import { validateCardSettings, type CardSettings } from './access-code.card';

export const MAX_SHORT_CODES = 10;
export const MAX_ALLOWED_IPS = 50;
export const MAX_REPLIES_PER_SMS = 5;
/** Draws before giving up on finding a value no live code of the service holds. */
const DRAW_ATTEMPTS = 20;

function invalid(code: UserErrorCode, message: string, field: string): UserFacingError {
  return new UserFacingError(code, message, ['input', field]);
}

/** The settings a merchant gives; update passes only what changes. */
export interface ServiceSettings {
  name: string;
  keyword: string;
  shortCodes: readonly string[];
  replyTemplate: string;
  kind: AccessCodeKind;
  validitySeconds?: number | null;
  maxUses?: number | null;
  codeLength: number;
  alphabet: AccessCodeAlphabet;
  excludedCharacters?: string | null;
  /** Empty or left out: Tollgate's own landing page (see landingUrls). */
  paidUrl?: string | null;
  expiredUrl?: string | null;
  invalidUrl?: string | null;
  allowedIps?: readonly string[] | null;
  maxRepliesPerSms?: number | null;
}

/**
 * A browser goes to these, not Tollgate, so internal hosts are no risk; https only in production. Empty (or left out)
 * is kept as "": the redirect then uses Tollgate's own landing page for the outcome.
 */
function validUrl(config: Pick<Config, 'mode'>, value: string | null | undefined, field: string): string {
  const url = (value ?? '').trim();
  if (!url) return '';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(UserErrorCode.INVALID_URL, 'enter a full URL, like https://example.com/paid', field);
  }
  if (url.length > 1500) throw invalid(UserErrorCode.TOO_LONG, 'use a URL of at most 1500 characters', field);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalid(UserErrorCode.INVALID_URL, 'use an http or https URL', field);
  }
  if (parsed.username || parsed.password) {
    throw invalid(UserErrorCode.INVALID_URL, 'leave user name and password out of the URL', field);
  }
  // Payers land here with a code and its proof in the query: never over plain HTTP in production.
  if (config.mode === 'production' && parsed.protocol !== 'https:') {
    throw invalid(UserErrorCode.INVALID_URL, 'use an https URL', field);
  }
  // Normalised (percent-encoded, ASCII): it goes into a Location header as is.
  return parsed.href;
}

function validInt(value: number, min: number, max: number, field: string, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(UserErrorCode.INVALID, `${what} must be a whole number from ${min} to ${max}`, field);
  }
  return value;
}

/** Checks every setting and returns them normalised; throws UserFacingError naming the first bad field. */
export function validateSettings(
  config: Pick<Config, 'mode'>,
  input: ServiceSettings,
): Omit<ServiceSettings, 'excludedCharacters' | 'paidUrl' | 'expiredUrl' | 'invalidUrl'> & {
  paidUrl: string;
  expiredUrl: string;
  invalidUrl: string;
  validitySeconds: number | null;
  maxUses: number | null;
  excludedCharacters: string;
  allowedIps: string[];
  maxRepliesPerSms: number;
  shortCodes: string[];
} {
  const name = input.name.trim();
  if (!name) throw invalid(UserErrorCode.REQUIRED, 'name the service', 'name');
  if (name.length > 100) throw invalid(UserErrorCode.TOO_LONG, 'use at most 100 characters', 'name');

  const keyword = input.keyword.trim().toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(keyword)) {
    throw invalid(UserErrorCode.INVALID, 'use 2 to 20 letters (A–Z) or digits, no spaces', 'keyword');
  }

  const shortCodes = [...new Set(input.shortCodes.map((code) => code.trim().replace(/^\+/, '')))];
  if (!shortCodes.length) throw invalid(UserErrorCode.REQUIRED, 'give at least one short code', 'shortCodes');
  if (shortCodes.length > MAX_SHORT_CODES) {
    throw invalid(UserErrorCode.TOO_LONG, `use at most ${MAX_SHORT_CODES} short codes`, 'shortCodes');
  }
  const badShortCode = shortCodes.find((code) => !/^[0-9]{3,15}$/.test(code));
  if (badShortCode !== undefined) {
    throw invalid(UserErrorCode.INVALID, `"${badShortCode}" is not a short code (3 to 15 digits)`, 'shortCodes');
  }

  if (!Object.values(AccessCodeKind).includes(input.kind)) throw invalid(UserErrorCode.INVALID, 'unknown kind', 'kind');
  let validitySeconds: number | null = null;
  if (kindHasPeriod(input.kind)) {
    if (input.validitySeconds == null) {
      throw invalid(UserErrorCode.REQUIRED, 'say how many seconds a code stays good', 'validitySeconds');
    }
    validitySeconds = validInt(
      input.validitySeconds,
      MIN_VALIDITY_SECONDS,
      MAX_VALIDITY_SECONDS,
      'validitySeconds',
      'the period',
    );
  } else if (input.validitySeconds != null) {
    throw invalid(UserErrorCode.INVALID, 'codes of this kind have no period; leave it out', 'validitySeconds');
  }
  let maxUses: number | null = null;
  if (kindHasUses(input.kind)) {
    if (input.maxUses == null) throw invalid(UserErrorCode.REQUIRED, 'say how many checks a code admits', 'maxUses');
    maxUses = validInt(input.maxUses, 1, MAX_USES, 'maxUses', 'the number of uses');
  } else if (input.maxUses != null) {
    throw invalid(UserErrorCode.INVALID, 'codes of this kind have no use limit; leave it out', 'maxUses');
  }

  const codeLength = validInt(input.codeLength, MIN_CODE_LENGTH, MAX_CODE_LENGTH, 'codeLength', 'the length');
  if (!Object.values(AccessCodeAlphabet).includes(input.alphabet)) {
    throw invalid(UserErrorCode.INVALID, 'unknown alphabet', 'alphabet');
  }
  const excludedCharacters = normaliseExcluded(input.excludedCharacters ?? '');
  if (codeCharacters(input.alphabet, excludedCharacters).length < MIN_ALPHABET_SIZE) {
    throw invalid(
      UserErrorCode.INVALID,
      `leave at least ${MIN_ALPHABET_SIZE} characters to draw codes from`,
      'excludedCharacters',
    );
  }

  const replyTemplate = input.replyTemplate.trim();
  const problem = templateProblem(replyTemplate, { kind: input.kind, validitySeconds, maxUses, codeLength });
  if (problem) {
    throw invalid(
      problem.message.startsWith('the reply can take') ? UserErrorCode.TOO_LONG : UserErrorCode.INVALID,
      problem.message,
      problem.field,
    );
  }

  const allowedIps = [...new Set((input.allowedIps ?? []).map((entry) => entry.trim()).filter(Boolean))];
  if (allowedIps.length > MAX_ALLOWED_IPS) {
    throw invalid(UserErrorCode.TOO_LONG, `use at most ${MAX_ALLOWED_IPS} addresses`, 'allowedIps');
  }
  const badIp = allowedIps.find((entry) => !validIpEntry(entry));
  if (badIp !== undefined) {
    throw invalid(UserErrorCode.INVALID, `"${badIp}" is not an IP address or CIDR range`, 'allowedIps');
  }
  const maxRepliesPerSms = validInt(
    input.maxRepliesPerSms ?? 1,
    1,
    MAX_REPLIES_PER_SMS,
    'maxRepliesPerSms',
    'the number of replies',
  );

  return {
    name,
    keyword,
    shortCodes,
    replyTemplate,
    kind: input.kind,
    validitySeconds,
    maxUses,
    codeLength,
    alphabet: input.alphabet,
    excludedCharacters,
    paidUrl: validUrl(config, input.paidUrl, 'paidUrl'),
    expiredUrl: validUrl(config, input.expiredUrl, 'expiredUrl'),
    invalidUrl: validUrl(config, input.invalidUrl, 'invalidUrl'),
    allowedIps,
    maxRepliesPerSms,
  };
}

/**
 * Refuses routes another live service holds (a friendly message for the common case; the unique index on
 * (keyword, shortCode) is what guarantees it, failing the flush if two merchants race).
 */
async function replaceRoutes(em: EntityManager, service: AccessCodeService): Promise<void> {
  const taken = await em.find(AccessCodeRoute, {
    keyword: service.keyword,
    shortCode: { $in: service.shortCodes },
    serviceId: { $ne: service.id },
  });
  if (taken.length) {
    throw invalid(
      UserErrorCode.TAKEN,
      `the keyword ${service.keyword} is already used on ${taken.map((route) => route.shortCode).join(', ')}`,
      'keyword',
    );
  }
  // Removed at once (not in the unit of work), so the inserts below never meet the old rows.
  await em.nativeDelete(AccessCodeRoute, { serviceId: service.id });
  for (const shortCode of service.shortCodes) {
    em.persist(build(AccessCodeRoute, { keyword: service.keyword, shortCode, serviceId: service.id }));
  }
}

export async function createService(
  em: EntityManager,
  config: Pick<Config, 'mode'>,
  input: ServiceSettings & CardSettings & { merchantId: string },
): Promise<{ service: AccessCodeService; secret: string }> {
  const settings = validateSettings(config, input);
  const card = validateCardSettings({ acceptsCard: false, cardPriceMinor: null, cardCurrency: null }, input);
  const service = build(AccessCodeService, {
    ...settings,
    ...card,
    merchantId: input.merchantId,
    secret: newServiceSecret(),
  });
  em.persist(service);
  await replaceRoutes(em, service);
  return { service, secret: service.secret };
}

export async function updateService(
  em: EntityManager,
  config: Pick<Config, 'mode'>,
  service: AccessCodeService,
  changes: { [K in keyof ServiceSettings]?: ServiceSettings[K] | null } & CardSettings & {
      rotateSecret?: boolean | null;
    },
  now = new Date(),
): Promise<{ service: AccessCodeService; secret: string | null }> {
  // Nullable settings (period, uses) may be cleared with null when the kind changes; the rest keep their value.
  const merged: ServiceSettings = {
    name: service.name,
    keyword: service.keyword,
    shortCodes: service.shortCodes,
    replyTemplate: service.replyTemplate,
    kind: service.kind,
    validitySeconds: service.validitySeconds,
    maxUses: service.maxUses,
    codeLength: service.codeLength,
    alphabet: service.alphabet,
    excludedCharacters: service.excludedCharacters,
    paidUrl: service.paidUrl,
    expiredUrl: service.expiredUrl,
    invalidUrl: service.invalidUrl,
    allowedIps: service.allowedIps,
    maxRepliesPerSms: service.maxRepliesPerSms,
  };
  // Only settings (not the id or rotateSecret a caller's input also carries), and only those given.
  for (const [key, value] of Object.entries(changes)) {
    if (!(key in merged) || value === undefined) continue;
    if (value !== null || key === 'validitySeconds' || key === 'maxUses') {
      (merged as unknown as Record<string, unknown>)[key] = value;
    }
  }
  // A new kind without the other limit's value: drop the one it no longer has.
  if (changes.kind && !kindHasPeriod(changes.kind) && changes.validitySeconds === undefined)
    merged.validitySeconds = null;
  if (changes.kind && !kindHasUses(changes.kind) && changes.maxUses === undefined) merged.maxUses = null;
  const settings = validateSettings(config, merged);
  const card = validateCardSettings(service, changes);
  const routesChanged =
    settings.keyword !== service.keyword || settings.shortCodes.join(',') !== service.shortCodes.join(',');
  Object.assign(service, settings, card);
  const secret = changes.rotateSecret ? newServiceSecret() : null;
  if (secret) service.secret = secret;
  service.updatedAt = now;
  if (routesChanged) await replaceRoutes(em, service);
  return { service, secret };
}

/** Takes no more SMS and answers no more checks; its codes stay for the record. Frees its keyword. */
export async function deleteService(em: EntityManager, service: AccessCodeService, now = new Date()): Promise<void> {
  service.deletedAt = now;
  service.updatedAt = now;
  await em.nativeDelete(AccessCodeRoute, { serviceId: service.id });
}

// --- Codes --------------------------------------------------------------------------------------------------------

/** A code's status from its columns (revoked, then used up, then expired). */
export function codeStatus(
  code: Pick<AccessCode, 'revokedAt' | 'usesLeft' | 'expiresAt'>,
  now = new Date(),
): AccessCodeStatus {
  if (code.revokedAt) return AccessCodeStatus.REVOKED;
  if (code.usesLeft !== null && code.usesLeft <= 0) return AccessCodeStatus.USED_UP;
  if (code.expiresAt && code.expiresAt.getTime() <= now.getTime()) return AccessCodeStatus.EXPIRED;
  return AccessCodeStatus.ACTIVE;
}

/** The same statuses as database filters, for lists. */
export function statusFilter(status: AccessCodeStatus, now = new Date()): FilterQuery<AccessCode> {
  const usesLeft = { $or: [{ usesLeft: null }, { usesLeft: { $gt: 0 } }] };
  switch (status) {
    case AccessCodeStatus.REVOKED:
      return { revokedAt: { $ne: null } };
    case AccessCodeStatus.USED_UP:
      return { revokedAt: null, usesLeft: { $lte: 0 } };
    case AccessCodeStatus.EXPIRED:
      return { revokedAt: null, $and: [usesLeft, { expiresAt: { $lte: now } }] };
    case AccessCodeStatus.ACTIVE:
      return { revokedAt: null, $and: [usesLeft, { $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] }] };
  }
}

/**
 * Issues a code for a paid SMS, in the caller's transaction: drawn uniformly (rejection sampling) from the
 * service's characters, and unique among its live codes. A dead code holding the drawn value is retired (its
 * lookup cleared) so the unique index admits the new one; a live one means drawing again. Two SMS drawing the
 * same value at the same moment cannot both commit: the unique index fails the later one, which the SMS rails
 * retry.
 */
export async function issueCode(
  em: EntityManager,
  config: Config,
  service: AccessCodeService,
  input: { paymentId: string; smsId: string | null },
  now = new Date(),
): Promise<{ code: AccessCode; value: string }> {
  const characters = codeCharacters(service.alphabet, service.excludedCharacters);
  for (let attempt = 0; attempt < DRAW_ATTEMPTS; attempt++) {
    const value = randomCode(characters, service.codeLength);
    const lookup = codeLookup(config.sessionSecret, service.id, value);
    const holder = await em.findOne(AccessCode, { serviceId: service.id, lookup });
    if (holder) {
      if (codeStatus(holder, now) === AccessCodeStatus.ACTIVE) continue;
      await em.nativeUpdate(AccessCode, { id: holder.id }, { lookup: null });
    }
    const code = build(AccessCode, {
      merchantId: service.merchantId,
      serviceId: service.id,
      paymentId: input.paymentId,
      smsId: input.smsId,
      lookup,
      sealed: sealCode(config.sessionSecret, service.id, value),
      kind: service.kind,
      validitySeconds: service.validitySeconds,
      maxUses: service.maxUses,
      usesLeft: service.maxUses,
      issuedAt: now,
      createdAt: now,
      expiresAt:
        service.kind === AccessCodeKind.PERIOD_FROM_ISSUE || service.kind === AccessCodeKind.USES_AND_PERIOD
          ? new Date(now.getTime() + service.validitySeconds! * 1000)
          : null,
      // The reply that carries the code is the SMS's first (the product sends it in the same transaction); a code
      // bought by card has no SMS and is never sent by SMS.
      repliesSent: input.smsId ? 1 : 0,
    });
    em.persist(code);
    await emitEvent(em, 'access_code.issued', service.merchantId, {
      paymentId: input.paymentId,
      serviceId: service.id,
      accessCodeId: code.id,
      expiresAt: code.expiresAt?.toISOString() ?? null,
      usesAllowed: code.maxUses,
    });
    return { code, value };
  }
  throw new Error(
    `access code service ${service.id}: no free code after ${DRAW_ATTEMPTS} draws; its live codes fill the space`,
  );
}

/** The code's value, for the dashboard and replies. */
export function codeValue(config: Config, code: AccessCode): string {
  const value = openCode(config.sessionSecret, code.serviceId, code.sealed);
  if (value === null) throw new Error(`access code ${code.id} cannot be opened with this server's secret`);
  return value;
}

export function replyText(service: AccessCodeService, code: AccessCode, value: string): string {
  return renderTemplate(service.replyTemplate, placeholderValues(code, value, code.expiresAt));
}

export const ACCESS_CODE_SECRET = 'access-code';

/**
 * The reply that sends a code: stored with the mask in the code's place and the code's id, rendered (the code opened
 * from its seal) only when the SMS rails send it, so `sms_message` never holds the code in clear.
 */
export function codeReply(service: AccessCodeService, code: AccessCode) {
  if (!code.smsId) throw new Error(`access code ${code.id} was bought by card: it is never sent by SMS`);
  return {
    inboundSmsId: code.smsId,
    text: replyText(service, code, SMS_SECRET_MASK),
    secret: { kind: ACCESS_CODE_SECRET, id: code.id },
  };
}

/** The SMS rails' way to the code of a reply (see codeReply); null when the code is gone or cannot be opened. */
export const accessCodeReplySecret: SmsReplySecret = {
  kind: ACCESS_CODE_SECRET,
  async reveal(em, config, id) {
    const code = await em.findOne(AccessCode, id);
    return code && openCode(config.sessionSecret, code.serviceId, code.sealed);
  },
};

/**
 * Sends the code again to the phone that bought it (the first reply is part of issuing), if the buying SMS still has
 * a reply left (the service's
 * maxRepliesPerSms, seed A5). The count is taken by a conditional UPDATE, so concurrent resends cannot exceed it.
 * Returns false when the limit was reached.
 */
export async function replyWithCode(em: EntityManager, service: AccessCodeService, code: AccessCode): Promise<boolean> {
  const taken = await em.nativeUpdate(
    AccessCode,
    { id: code.id, repliesSent: { $lt: service.maxRepliesPerSms } },
    { repliesSent: raw('replies_sent + 1') },
  );
  if (!taken) return false;
  await sendSmsReply(em, codeReply(service, code));
  return true;
}

export function revokeCode(code: AccessCode, now = new Date()): AccessCode {
  if (code.revokedAt) throw new UserFacingError(UserErrorCode.ALREADY_RESOLVED, 'this code is already revoked');
  code.revokedAt = now;
  return code;
}

/** Sends a code again (a payer lost the SMS); refused for revoked codes and beyond the reply limit. */
export async function resendCode(
  em: EntityManager,
  config: Config,
  service: AccessCodeService,
  code: AccessCode,
): Promise<AccessCode> {
  if (code.revokedAt) throw new UserFacingError(UserErrorCode.INVALID, 'this code is revoked; it is not sent again');
  if (!code.smsId) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      "this code was bought by card: it is on the buyer's payment page and in their email, never sent by SMS",
    );
  }
  // As before the code was rendered at sending: a code this server cannot open is refused here, not in the outbox.
  codeValue(config, code);
  if (!(await replyWithCode(em, service, code))) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      `the SMS that bought this code has had its ${service.maxRepliesPerSms} ${
        service.maxRepliesPerSms === 1 ? 'reply' : 'replies'
      } (the service's limit)`,
    );
  }
  // Read back rather than incremented here: a flush of a stale count would undo a concurrent resend's.
  return em.findOneOrFail(AccessCode, code.id, { refresh: true });
}

// --- Audited changes (the dashboard's mutations) ------------------------------------------------------------------

/** The filter of a service's check attempts: by result and time. */
export function checksWhere(args: {
  serviceId: string;
  result?: AccessCodeCheckResult | null;
  from?: Date | null;
  to?: Date | null;
}) {
  const where: FilterQuery<AccessCodeCheck> = { serviceId: args.serviceId };
  if (args.result) where.result = args.result;
  if (args.from || args.to) {
    where.checkedAt = { ...(args.from ? { $gte: args.from } : {}), ...(args.to ? { $lt: args.to } : {}) };
  }
  return where;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading =+-@ is defused. */
function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The settings part of an audit row: no codes, no secret (the audit redacts keys that look secret anyway). */
function settingsDetails(service: AccessCodeService): Record<string, unknown> {
  return {
    name: service.name,
    keyword: service.keyword,
    shortNumbers: service.shortCodes,
    kind: service.kind,
    validitySeconds: service.validitySeconds,
    maxUses: service.maxUses,
    length: service.codeLength,
    alphabet: service.alphabet,
    excluded: service.excludedCharacters,
    replyTemplate: service.replyTemplate,
    paidUrl: service.paidUrl,
    expiredUrl: service.expiredUrl,
    invalidUrl: service.invalidUrl,
    allowedIps: service.allowedIps,
    maxRepliesPerSms: service.maxRepliesPerSms,
    // Not under their own names: the audit log redacts keys that look like card data ("card" included).
    methods: service.acceptsCard ? ['SMS', 'CARD'] : ['SMS'],
    onlinePrice: service.cardPrice ? `${service.cardPrice.amount} ${service.cardPrice.currency}` : null,
  };
}

/** A new service with its signing secret, audited, in a transaction of its own. */
export async function createAccessCodeService(
  em: EntityManager,
  actor: AuditActor,
  config: Pick<Config, 'mode'>,
  input: ServiceSettings & CardSettings & { merchantId: string },
): Promise<{ service: AccessCodeService; secret: string }> {
  return em.transactional(async (tx) => {
    const created = await createService(tx, config, input);
    recordAudit(tx, actor, {
      action: 'accessCodeService.create',
      merchantId: input.merchantId,
      targetId: created.service.id,
      details: { ...settingsDetails(created.service), secret: true },
    });
    return created;
  });
}

/**
 * Changes `loaded` (a service the caller may see) or rotates its secret, audited, in a transaction of its own; then
 * the checker drops its cached settings and `loaded` is read back.
 */
export async function updateAccessCodeService(
  em: EntityManager,
  actor: AuditActor,
  config: Pick<Config, 'mode'>,
  checker: Pick<AccessCodeChecker, 'forget'>,
  loaded: AccessCodeService,
  changes: Parameters<typeof updateService>[3],
): Promise<{ service: AccessCodeService; secret: string | null }> {
  const result = await em.transactional(async (tx) => {
    const service = await tx.findOneOrFail(AccessCodeService, loaded.id);
    const updated = await updateService(tx, config, service, changes);
    recordAudit(tx, actor, {
      action: 'accessCodeService.update',
      merchantId: service.merchantId,
      targetId: service.id,
      details: { ...settingsDetails(service), ...(updated.secret ? { secret: true } : {}) },
    });
    return updated;
  });
  checker.forget(loaded.id);
  await em.refresh(loaded);
  return { service: loaded, secret: result.secret };
}

/** Deletes `loaded` (a service the caller may see), audited, and returns its id; the checker forgets it. */
export async function deleteAccessCodeService(
  em: EntityManager,
  actor: AuditActor,
  checker: Pick<AccessCodeChecker, 'forget'>,
  loaded: AccessCodeService,
): Promise<string> {
  await em.transactional(async (tx) => {
    const service = await tx.findOneOrFail(AccessCodeService, loaded.id);
    await deleteService(tx, service);
    recordAudit(tx, actor, {
      action: 'accessCodeService.delete',
      merchantId: service.merchantId,
      targetId: service.id,
      details: { name: service.name, keyword: service.keyword },
    });
  });
  checker.forget(loaded.id);
  return loaded.id;
}

/** A service's signing secret: the audit row commits before the secret leaves the server. */
export async function revealServiceSecret(
  em: EntityManager,
  actor: AuditActor,
  service: AccessCodeService,
): Promise<string> {
  await flushAudited(em, actor, {
    action: 'accessCodeService.revealSecret',
    merchantId: service.merchantId,
    targetId: service.id,
  });
  return service.secret;
}

/** A service's check attempts as CSV, newest first, at most MAX_EXPORT_ROWS rows; audited. */
export async function exportChecksCsv(
  em: EntityManager,
  actor: AuditActor,
  checker: Pick<AccessCodeChecker, 'recorder'>,
  service: AccessCodeService,
  filter: { serviceId: string; result?: AccessCodeCheckResult | null; from?: Date | null; to?: Date | null },
): Promise<{ csv: string; rowCount: number; truncated: boolean }> {
  // Attempts still queued belong in the export too.
  await checker.recorder.flush();
  const rows = await em.find(AccessCodeCheck, checksWhere(filter), {
    orderBy: { id: 'desc' },
    limit: MAX_EXPORT_ROWS + 1,
  });
  const truncated = rows.length > MAX_EXPORT_ROWS;
  const shown = rows.slice(0, MAX_EXPORT_ROWS);
  const lines = ['checkedAt,result,channel,ip,count,codeId,input'];
  for (const row of shown) {
    lines.push(
      [
        row.checkedAt.toISOString(),
        row.result,
        row.channel,
        row.ip,
        String(row.count),
        row.codeId ?? '',
        row.input ?? '',
      ]
        .map(csvField)
        .join(','),
    );
  }
  await flushAudited(em, actor, {
    action: 'accessCodeChecks.export',
    merchantId: service.merchantId,
    targetId: service.id,
    details: {
      result: filter.result ?? null,
      from: filter.from?.toISOString() ?? null,
      to: filter.to?.toISOString() ?? null,
      rows: shown.length,
    },
  });
  return { csv: `${lines.join('\r\n')}\r\n`, rowCount: shown.length, truncated };
}

/** Revokes a code, audited. */
export async function revokeAccessCode(em: EntityManager, actor: AuditActor, code: AccessCode): Promise<AccessCode> {
  revokeCode(code);
  await flushAudited(em, actor, {
    action: 'accessCode.revoke',
    merchantId: code.merchantId,
    targetId: code.id,
    details: { serviceId: code.serviceId },
  });
  return code;
}

/** Sends a code of `service` again, audited, in a transaction of its own. */
export async function resendAccessCode(
  em: EntityManager,
  actor: AuditActor,
  config: Config,
  service: AccessCodeService,
  codeId: string,
): Promise<AccessCode> {
  return em.transactional(async (tx) => {
    const resent = await resendCode(tx, config, service, await tx.findOneOrFail(AccessCode, codeId));
    recordAudit(tx, actor, {
      action: 'accessCode.resend',
      merchantId: resent.merchantId,
      targetId: resent.id,
      details: { serviceId: resent.serviceId, replies: resent.repliesSent },
    });
    return resent;
  });
}
