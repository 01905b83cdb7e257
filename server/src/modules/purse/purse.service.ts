import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import type { PubSubLike } from '../../common/context';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { build } from '../../common/orm';
import { isPrivateHost } from '../../common/outbound';
import { flushAudited, recordAudit, type AuditActor } from '../audit';
import { afterCommit } from '../payment';
import { Payment, PaymentKind, PaymentStatus } from '../payment';
import { applyTransition, createPayment, lockPayment } from '../payment';
import { paymentSmsTopic, type SmsEvent } from '../sms';
import { Country } from '../tariff';
import { SmsTariff } from '../tariff';
import { compareShortCodes } from '../tariff';
import { Purse, PurseLanguage, PursePayment } from './purse.entity';
import {
  checkValues,
  FormError,
  formSignature,
  purseNumberOf,
  signatureMatches,
  type ParsedForm,
} from './purse.protocol';

/** The protocol's amounts are US dollars (B1); so is what SMS yield. */
/** How long a purse payment waits for its SMS before it expires. */
export const PURSE_PAYMENT_HOURS = 24;

export const PURSE_CURRENCY = 'USD';
const MAX_COUNTRIES = 300;

// --- Numbers ------------------------------------------------------------------------------------------------------

export const PURSE_NUMBERS = 'purse';
export const OPERATION_NUMBERS = 'purse_operation';

/**
 * The next value of a named counter, inside the caller's transaction (or on its own outside one). One UPDATE …
 * RETURNING increments and reads the row, so concurrent callers queue on it (PostgreSQL's row lock; SQLite's single
 * writer) and never draw the same number; a rolled-back transaction takes its number back. The row is created on
 * first use; "on conflict do nothing" lets two first uses race harmlessly.
 */
export async function nextNumber(em: EntityManager, name: string): Promise<number> {
  const connection = em.getConnection('write');
  const trx: unknown = em.getTransactionContext();
  await connection.execute(
    'insert into purse_counter (name, value) values (?, 0) on conflict do nothing',
    [name],
    'run',
    trx,
  );
  const rows = (await connection.execute(
    'update purse_counter set value = value + 1 where name = ? returning value',
    [name],
    'all',
    trx,
  )) as { value: number | string }[];
  const value = Number(rows[0]?.value);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`counter ${name} returned ${String(rows[0]?.value)}`);
  return value;
}

// --- Purses -------------------------------------------------------------------------------------------------------

function invalid(code: UserErrorCode, message: string, field: string): UserFacingError {
  return new UserFacingError(code, message, ['input', field]);
}

/**
 * http(s), no credentials; in production https only; the Result URL (which our servers call) nothing internal unless
 * the platform allows it (ALLOW_PRIVATE_CALLBACK_URLS).
 * The Success and Fail URLs are only where the payer's browser goes.
 */
function validUrl(config: Config, value: string, field: string, serverCalls: boolean): string {
  const url = value.trim();
  if (!url) throw invalid(UserErrorCode.REQUIRED, 'enter the URL', field);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(UserErrorCode.INVALID_URL, 'enter a full URL, like https://example.com/sms-bank/result', field);
  }
  if (url.length > 2000) throw invalid(UserErrorCode.TOO_LONG, 'use a URL of at most 2000 characters', field);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalid(UserErrorCode.INVALID_URL, 'use an http or https URL', field);
  }
  if (parsed.username || parsed.password) {
    throw invalid(UserErrorCode.INVALID_URL, 'leave user name and password out of the URL', field);
  }
  if (config.mode === 'production' && parsed.protocol !== 'https:') {
    throw invalid(UserErrorCode.INVALID_URL, 'use an https URL', field);
  }
  if (serverCalls && !config.allowPrivateCallbackUrls && isPrivateHost(parsed.hostname)) {
    throw invalid(UserErrorCode.INVALID_URL, 'use a public address, not an internal one', field);
  }
  return url;
}

function validName(value: string): string {
  const name = value.trim();
  if (!name) throw invalid(UserErrorCode.REQUIRED, 'give the purse a name', 'name');
  if (name.length > 100) throw invalid(UserErrorCode.TOO_LONG, 'use at most 100 characters', 'name');
  return name;
}

/** Known, active-or-not catalogue countries, upper case, unique, sorted; empty means all. */
async function validCountries(em: EntityManager, values: readonly string[]): Promise<string[]> {
  const codes = [...new Set(values.map((value) => value.trim().toUpperCase()).filter(Boolean))].sort();
  if (codes.length > MAX_COUNTRIES) throw invalid(UserErrorCode.TOO_LONG, 'too many countries', 'countries');
  const bad = codes.find((code) => !/^[A-Z]{2}$/.test(code));
  if (bad) throw invalid(UserErrorCode.INVALID, `"${bad}" is not a two-letter country code`, 'countries');
  if (codes.length) {
    const known = new Set((await em.find(Country, { code: { $in: codes } })).map((country) => country.code));
    const unknown = codes.find((code) => !known.has(code));
    if (unknown) throw invalid(UserErrorCode.NOT_FOUND, `SMS payments are not offered in ${unknown}`, 'countries');
  }
  return codes;
}

function validLanguage(value: PurseLanguage): PurseLanguage {
  // GraphQL checks its enum already; this guards other callers.
  if (Object.values(PurseLanguage).includes(value)) return value;
  throw invalid(UserErrorCode.INVALID, 'choose RU or EN', 'language');
}

/** 128 random bits as 32 hex digits: easy to paste into any language's source, and never needing escapes. */
export function newPurseSecret(): string {
  return randomBytes(16).toString('hex');
}

export interface PurseInput {
  name: string;
  successUrl: string;
  failUrl: string;
  resultUrl: string;
  countries?: readonly string[] | null;
  language?: PurseLanguage | null;
}

/** A new purse with the next number and a fresh secret, audited, in a transaction of its own (with the counter). */
export async function createPurse(
  em: EntityManager,
  actor: AuditActor,
  config: Config,
  merchantId: string,
  input: PurseInput,
): Promise<Purse> {
  return em.transactional(async (tx) => {
    const purse = await newPurse(tx, config, merchantId, input);
    recordAudit(tx, actor, {
      action: 'purse.create',
      merchantId,
      targetId: purse.id,
      details: {
        number: purse.number,
        name: purse.name,
        successUrl: purse.successUrl,
        failUrl: purse.failUrl,
        resultUrl: purse.resultUrl,
        countries: purse.countries,
        language: purse.language,
        secret: true,
      },
    });
    return purse;
  });
}

async function newPurse(em: EntityManager, config: Config, merchantId: string, input: PurseInput): Promise<Purse> {
  const fields = {
    name: validName(input.name),
    successUrl: validUrl(config, input.successUrl, 'successUrl', false),
    failUrl: validUrl(config, input.failUrl, 'failUrl', false),
    resultUrl: validUrl(config, input.resultUrl, 'resultUrl', true),
    countries: await validCountries(em, input.countries ?? []),
    language: validLanguage(input.language ?? PurseLanguage.RU),
  };
  const purse = build(Purse, {
    ...fields,
    merchantId,
    number: await nextNumber(em, PURSE_NUMBERS),
    secret: newPurseSecret(),
  });
  em.persist(purse);
  return purse;
}

/** Applies the given changes (null or absent: unchanged) in a transaction of its own; audited when any changed. */
export async function updatePurse(
  em: EntityManager,
  actor: AuditActor,
  config: Config,
  purseId: string,
  input: Partial<{ [K in keyof PurseInput]: PurseInput[K] | null }>,
): Promise<Purse> {
  return em.transactional(async (tx) => {
    const purse = await tx.findOneOrFail(Purse, purseId);
    const changes = await applyChanges(tx, config, purse, input);
    if (Object.keys(changes).length) {
      recordAudit(tx, actor, {
        action: 'purse.update',
        merchantId: purse.merchantId,
        targetId: purse.id,
        details: changes,
      });
    }
    return purse;
  });
}

/** Returns which settings changed, for the audit log. */
async function applyChanges(
  em: EntityManager,
  config: Config,
  purse: Purse,
  input: Partial<{ [K in keyof PurseInput]: PurseInput[K] | null }>,
): Promise<Record<string, unknown>> {
  const changes: Record<string, unknown> = {};
  const set = <K extends keyof Purse>(key: K, value: Purse[K]) => {
    if (JSON.stringify(purse[key]) === JSON.stringify(value)) return;
    purse[key] = value;
    changes[key] = value;
  };
  if (input.name != null) set('name', validName(input.name));
  if (input.successUrl != null) set('successUrl', validUrl(config, input.successUrl, 'successUrl', false));
  if (input.failUrl != null) set('failUrl', validUrl(config, input.failUrl, 'failUrl', false));
  if (input.resultUrl != null) set('resultUrl', validUrl(config, input.resultUrl, 'resultUrl', true));
  if (input.countries != null) set('countries', await validCountries(em, input.countries));
  if (input.language != null) set('language', validLanguage(input.language));
  if (Object.keys(changes).length) purse.updatedAt = new Date();
  return changes;
}

/** A new secret, audited; the old one stops working at once, for forms and for callbacks still waiting for delivery. */
export async function rotatePurseSecret(
  em: EntityManager,
  actor: AuditActor,
  purseId: string,
  now = new Date(),
): Promise<{ purse: Purse; secret: string }> {
  return em.transactional(async (tx) => {
    const purse = await tx.findOneOrFail(Purse, purseId);
    purse.secret = newPurseSecret();
    purse.secretChangedAt = now;
    purse.updatedAt = now;
    recordAudit(tx, actor, {
      action: 'purse.rotateSecret',
      merchantId: purse.merchantId,
      targetId: purse.id,
      details: { secret: true },
    });
    return { purse, secret: purse.secret };
  });
}

/** A purse's secret, shown to the caller: the audit row commits before the secret leaves the server. */
export async function revealPurseSecret(em: EntityManager, actor: AuditActor, purse: Purse): Promise<string> {
  await flushAudited(em, actor, { action: 'purse.revealSecret', merchantId: purse.merchantId, targetId: purse.id });
  return purse.secret;
}

// --- Countries a payment can be paid from (seed B4) ---------------------------------------------------------------

/** PRICE: the amount is what the payer pays (`s_clear_amount=0`); YIELD: what the merchant nets (`=1`). */
export type CountMode = 'PRICE' | 'YIELD';

export function countModeOf(clearAmount: string): CountMode {
  return clearAmount === '1' ? 'YIELD' : 'PRICE';
}

/** The one SMS a country's payer is asked to send. */
export interface CountryOption {
  code: string;
  name: string;
  shortCode: string;
  /** The country's currency and the highest local price among its operators (what a payer may be charged). */
  currency: string;
  priceMinor: bigint;
  /** The highest USD price among the operators. */
  priceUsdMinor: bigint;
  /** Whether operators charge or yield differently for this short code. */
  variesByOperator: boolean;
}

interface ShortCodeTerms {
  shortCode: string;
  maxPriceMinor: bigint;
  maxPriceUsdMinor: bigint;
  /** What the SMS is sure to count for, whichever operator the payer is on (the lowest over the rows). */
  surePriceUsdMinor: bigint;
  sureYieldUsdMinor: bigint;
  variesByOperator: boolean;
}

/**
 * A country's active rows per short code. The SMS rails value an SMS by its operator's row (or, with the operator
 * unknown, by the row yielding least), so an SMS is only sure to count the LOWEST price and the LOWEST yield over a
 * short code's rows. The tariff module's folded quotes keep the highest price (right for telling payers what they
 * may pay, wrong for PRICE-mode counting: a $2.70 purse payment sent to BG 1096, $2.67 on most operators and $2.72
 * on one, would stay partly paid), so this module folds the rows itself.
 */
function termsOf(country: Country, rows: readonly SmsTariff[]): ShortCodeTerms[] {
  const groups = new Map<string, SmsTariff[]>();
  for (const row of rows) {
    if (!row.active || row.countryCode !== country.code || row.currency !== country.currency) continue;
    groups.set(row.shortCode, [...(groups.get(row.shortCode) ?? []), row]);
  }
  const max = (values: bigint[]) => values.reduce((a, b) => (b > a ? b : a));
  const min = (values: bigint[]) => values.reduce((a, b) => (b < a ? b : a));
  return [...groups].map(([shortCode, group]) => ({
    shortCode,
    maxPriceMinor: max(group.map((row) => row.priceMinor)),
    maxPriceUsdMinor: max(group.map((row) => row.priceUsdMinor)),
    surePriceUsdMinor: min(group.map((row) => row.priceUsdMinor)),
    sureYieldUsdMinor: min(group.map((row) => row.yieldUsdMinor)),
    variesByOperator:
      new Set(group.map((row) => `${row.priceMinor}/${row.priceUsdMinor}/${row.yieldUsdMinor}`)).size > 1,
  }));
}

export interface CountryChoice {
  /** The countries one SMS can pay the amount from, by name; each with its cheapest such SMS. */
  options: CountryOption[];
  /**
   * The most one SMS is sure to count for in any of the purse's countries (null: no tariffs at all): what a page
   * with no country can tell the shop to stay under.
   */
  highestMinor: bigint | null;
}

/**
 * Seed B4: per country the purse serves, the cheapest single SMS that is sure to reach the amount (PRICE: its price;
 * YIELD: the merchant's yield); countries whose best SMS falls short are left out. Two queries whatever the size.
 */
export async function countryChoice(
  em: EntityManager,
  input: { amountMinor: bigint; mode: CountMode; countries: readonly string[]; only?: string | null },
): Promise<CountryChoice> {
  // `only`: one country, if the purse serves it.
  if (input.only && input.countries.length && !input.countries.includes(input.only)) {
    return { options: [], highestMinor: null };
  }
  const codes = input.only ? [input.only] : input.countries;
  const countries = await em.find(Country, { active: true, ...(codes.length ? { code: { $in: [...codes] } } : {}) });
  const rows = countries.length
    ? await em.find(SmsTariff, { active: true, countryCode: { $in: countries.map((country) => country.code) } })
    : [];
  const options: CountryOption[] = [];
  let highestMinor: bigint | null = null;
  for (const country of countries) {
    let best: ShortCodeTerms | null = null;
    for (const terms of termsOf(country, rows)) {
      const value = input.mode === 'PRICE' ? terms.surePriceUsdMinor : terms.sureYieldUsdMinor;
      if (highestMinor === null || value > highestMinor) highestMinor = value;
      if (value < input.amountMinor) continue;
      // Cheapest for the payer, then the lower short code, so the answer is stable.
      if (
        !best ||
        terms.maxPriceUsdMinor < best.maxPriceUsdMinor ||
        (terms.maxPriceUsdMinor === best.maxPriceUsdMinor && compareShortCodes(terms.shortCode, best.shortCode) < 0)
      ) {
        best = terms;
      }
    }
    if (best) {
      options.push({
        code: country.code,
        name: country.name,
        shortCode: best.shortCode,
        currency: country.currency,
        priceMinor: best.maxPriceMinor,
        priceUsdMinor: best.maxPriceUsdMinor,
        variesByOperator: best.variesByOperator,
      });
    }
  }
  options.sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return { options, highestMinor };
}

// --- Payments -----------------------------------------------------------------------------------------------------

export interface OpenedPayment {
  purse: Purse;
  payment: Payment;
  pursePayment: PursePayment;
}

/**
 * Checks a merchant's form (B1, B2) and opens its payment, in the caller's transaction: the purse named by
 * `s_purse`, the signature over the fields as sent, then the values. Throws FormError (nothing created) for the
 * first problem found. The payment's amount is the form's in cents; every protocol string is kept as sent.
 */
export async function openPursePayment(
  em: EntityManager,
  pubsub: PubSubLike | null,
  form: ParsedForm,
  language: PurseLanguage | null,
): Promise<OpenedPayment> {
  const { fields } = form;
  const number = purseNumberOf(fields.s_purse);
  const purse = number === null ? null : await em.findOne(Purse, { number });
  if (!purse) throw new FormError({ kind: 'UNKNOWN_PURSE' });
  if (!signatureMatches(fields.s_sign, formSignature(fields, purse.secret))) {
    throw new FormError({ kind: 'BAD_SIGNATURE' });
  }
  const { amountMinor } = checkValues(form);
  const payment = await createPayment(em, pubsub, {
    merchantId: purse.merchantId,
    kind: PaymentKind.PURSE,
    amount: amountMinor,
    currency: PURSE_CURRENCY,
    // The payment's own description is for display (trimmed, never empty); the exact one stays on the purse payment.
    description: fields.s_description.trim() || purse.name,
    externalId: fields.s_order_id,
    metadata: { purseId: purse.id, purseNumber: purse.number },
    // Unpaid after a day it expires; an SMS that still comes counts all the same (the purse's whenClosed rule).
    expiresAt: new Date(Date.now() + PURSE_PAYMENT_HOURS * 3_600_000),
  });
  const pursePayment = build(PursePayment, {
    paymentId: payment.id,
    purseId: purse.id,
    merchantId: purse.merchantId,
    purseField: fields.s_purse,
    orderId: fields.s_order_id,
    amountField: fields.s_amount,
    clearAmount: fields.s_clear_amount,
    description: fields.s_description,
    extraFields: form.extras,
    language: language ?? purse.language,
  });
  em.persist(pursePayment);
  return { purse, payment, pursePayment };
}

/** The payer's page in the SPA (the page token addresses it, never the short reference). */
export function payPageUrl(publicUrl: string, payment: Payment, language: PurseLanguage): string {
  return `${publicUrl}/bank/pay/${payment.pageToken}?lang=${language.toLowerCase()}`;
}

/** Where the payer's browser fetches its auto-submitting return form (served by purse.http.ts). */
export function returnUrl(
  publicUrl: string,
  payment: Payment,
  status: 'success' | 'fail',
  language: PurseLanguage,
): string {
  return `${publicUrl}/bank/return/${payment.pageToken}?status=${status}&lang=${language.toLowerCase()}`;
}

/** Page tokens are base64url (see payment.service); anything else addresses nothing. */
const PAGE_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/** A purse payment by its page token, or null. */
export async function findByToken(
  em: EntityManager,
  token: string,
): Promise<{ payment: Payment; pursePayment: PursePayment; purse: Purse } | null> {
  if (!PAGE_TOKEN.test(token)) return null;
  const payment = await em.findOne(Payment, { pageToken: token, kind: PaymentKind.PURSE });
  const pursePayment = payment && (await em.findOne(PursePayment, { paymentId: payment.id }));
  if (!payment || !pursePayment) return null;
  return { payment, pursePayment, purse: await em.findOneOrFail(Purse, pursePayment.purseId) };
}

function notFound(): UserFacingError {
  return new UserFacingError(UserErrorCode.NOT_FOUND, 'this payment link is not valid', ['input', 'token']);
}

/**
 * The payer picks the country they will pay from: the page then shows that country's SMS, and its expected line
 * (instruction) follows. Only while the payment takes money, and only countries that can reach the amount.
 */
export async function selectCountry(
  em: EntityManager,
  pubsub: PubSubLike | null,
  token: string,
  country: string,
): Promise<void> {
  await em.transactional((tx) => chooseCountry(tx, pubsub, token, country));
}

async function chooseCountry(
  em: EntityManager,
  pubsub: PubSubLike | null,
  token: string,
  country: string,
): Promise<void> {
  const found = await findByToken(em, token);
  if (!found) throw notFound();
  const { payment, pursePayment, purse } = found;
  if (payment.status !== PaymentStatus.OPEN) {
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'the payment no longer takes a new country', [
      'input',
      'country',
    ]);
  }
  const code = country.trim().toUpperCase();
  const { options } = await countryChoice(em, {
    amountMinor: payment.amount,
    mode: countModeOf(pursePayment.clearAmount),
    countries: purse.countries,
    only: code,
  });
  if (!options.length) {
    throw new UserFacingError(UserErrorCode.INVALID, 'this payment cannot be paid by SMS from that country', [
      'input',
      'country',
    ]);
  }
  pursePayment.country = code;
  // The live SMS lines (the sms module's paymentSms subscription) re-read the page on this topic: the new country's
  // expected SMS shows without a reload.
  if (pubsub) {
    afterCommit(em, () => {
      const event: SmsEvent = { id: '', merchantId: payment.merchantId, paymentId: payment.id };
      pubsub.publish(paymentSmsTopic(payment.pageToken), event);
    });
  }
}

/** The payer's confirm (B3): only once PAID, and it changes nothing; it only takes them to the Success URL. */
export async function confirmByPayer(
  em: EntityManager,
  token: string,
): Promise<{ payment: Payment; language: PurseLanguage }> {
  const found = await findByToken(em, token);
  if (!found) throw notFound();
  if (found.payment.status !== PaymentStatus.PAID) {
    throw new UserFacingError(
      UserErrorCode.INVALID_TRANSITION,
      found.payment.status === PaymentStatus.OPEN || found.payment.status === PaymentStatus.PARTIALLY_PAID
        ? 'the SMS has not arrived yet; send it, then confirm'
        : 'this payment was not paid',
    );
  }
  return { payment: found.payment, language: found.pursePayment.language };
}

/**
 * The payer's cancel (B3): an OPEN payment becomes CANCELLED; a cancelled or expired one stays so (a repeated
 * click). Refused once money arrived: a partly paid payment needs the rest, a paid one is confirmed instead.
 * Audited when it cancels now, in a transaction of its own.
 */
export async function cancelByPayer(
  em: EntityManager,
  actor: AuditActor,
  pubsub: PubSubLike | null,
  token: string,
): Promise<{ payment: Payment; language: PurseLanguage }> {
  return em.transactional(async (tx) => {
    const { payment, language, cancelledNow } = await cancelOpen(tx, pubsub, token);
    if (cancelledNow) {
      recordAudit(tx, actor, {
        action: 'purse.payment.cancel',
        merchantId: payment.merchantId,
        targetId: payment.id,
        details: { by: 'payer' },
      });
    }
    return { payment, language };
  });
}

async function cancelOpen(
  em: EntityManager,
  pubsub: PubSubLike | null,
  token: string,
): Promise<{ payment: Payment; language: PurseLanguage; cancelledNow: boolean }> {
  const found = await findByToken(em, token);
  if (!found) throw notFound();
  const payment = await lockPayment(em, found.payment.id);
  if (!payment) throw notFound();
  const language = found.pursePayment.language;
  if (payment.status === PaymentStatus.CANCELLED || payment.status === PaymentStatus.EXPIRED) {
    return { payment, language, cancelledNow: false };
  }
  if (payment.status === PaymentStatus.PAID) {
    throw new UserFacingError(UserErrorCode.INVALID_TRANSITION, 'this payment is paid; confirm it to go back');
  }
  if (payment.status !== PaymentStatus.OPEN) {
    throw new UserFacingError(
      UserErrorCode.INVALID_TRANSITION,
      'part of the amount has arrived, so the payment cannot be cancelled; send the rest of it',
    );
  }
  await applyTransition(em, pubsub, payment, 'cancel');
  return { payment, language, cancelledNow: true };
}
