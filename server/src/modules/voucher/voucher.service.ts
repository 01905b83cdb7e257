import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { newId } from '../../common/ids';
import { build } from '../../common/orm';
import { flushAudited, recordAudit, type AuditActor } from '../audit';
import { Payment, PaymentKind } from '../payment';
import { normaliseReference, parsePositiveAmount } from '../payment';
import { payPrepaidBlock } from '../payment';
import { Country } from '../tariff';
import {
  VOUCHER_CURRENCY,
  Voucher,
  VoucherFeedback,
  VoucherKind,
  VoucherOrder,
  VoucherPrepaidBlock,
  VoucherPricing,
  VoucherProject,
  VoucherStatus,
} from './voucher.entity';
import { isHttpUrl, markPrepaid, parseVoucherCsv, withdrawAvailable, type LineError } from './voucher.stock';

/** Prices above this are refused: SMS cannot sensibly pay more (and the solver's tables have a reach). */
export const MAX_PRICE_MINOR = 100_000n;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/;
const MIN_RESERVATION_MINUTES = 5;
const MAX_RESERVATION_MINUTES = 30 * 24 * 60;

export interface ProjectFields {
  name?: string | null;
  slug?: string | null;
  description?: string | null;
  logoUrl?: string | null;
  price?: string | null;
  pricing?: VoucherPricing | null;
  countries?: string[] | null;
  kind?: VoucherKind | null;
  active?: boolean | null;
  reservationMinutes?: number | null;
  acceptsCard?: boolean | null;
}

const field = (name: string) => ['input', name];

function checkName(value: string): string {
  const name = value.trim();
  if (!name) throw new UserFacingError(UserErrorCode.REQUIRED, 'give the project a name', field('name'));
  if (name.length > 100) throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 100 characters', field('name'));
  return name;
}

async function checkSlug(em: EntityManager, value: string, projectId: string | null): Promise<string> {
  const slug = value.trim().toLowerCase();
  if (!SLUG.test(slug) || slug.includes('--')) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      'use 3 to 40 lower-case letters, digits and single dashes, starting and ending with a letter or digit',
      field('slug'),
    );
  }
  const taken = await em.findOne(VoucherProject, { slug });
  if (taken && taken.id !== projectId) {
    throw new UserFacingError(UserErrorCode.TAKEN, `the address /p/${slug} is taken; choose another`, field('slug'));
  }
  return slug;
}

function checkPrice(value: string): bigint {
  const minor = parsePositiveAmount(value.trim(), VOUCHER_CURRENCY, {
    amount: field('price'),
    currency: field('price'),
  });
  if (minor > MAX_PRICE_MINOR) {
    throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'SMS cannot pay more than 1000.00 USD', field('price'));
  }
  return minor;
}

async function checkCountries(em: EntityManager, values: string[]): Promise<string[]> {
  const codes = [...new Set(values.map((value) => value.trim().toUpperCase()).filter(Boolean))].sort();
  if (!codes.length) return [];
  const known = new Set((await em.find(Country, { code: { $in: codes } })).map((country) => country.code));
  const unknown = codes.filter((code) => !known.has(code));
  if (unknown.length) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      `not in the SMS catalogue: ${unknown.join(', ')}`,
      field('countries'),
    );
  }
  return codes;
}

function checkLogoUrl(value: string): string | null {
  const url = value.trim();
  if (!url) return null;
  if (url.length > 500 || !isHttpUrl(url)) {
    throw new UserFacingError(UserErrorCode.INVALID_URL, 'give an http(s) address of an image', field('logoUrl'));
  }
  return url;
}

function checkDescription(value: string): string {
  const description = value.trim();
  if (description.length > 2000) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 2000 characters', field('description'));
  }
  return description;
}

function checkReservationMinutes(value: number): number {
  if (!Number.isInteger(value) || value < MIN_RESERVATION_MINUTES || value > MAX_RESERVATION_MINUTES) {
    throw new UserFacingError(
      UserErrorCode.INVALID,
      `between ${MIN_RESERVATION_MINUTES} minutes and ${MAX_RESERVATION_MINUTES / 1440} days`,
      field('reservationMinutes'),
    );
  }
  return value;
}

/**
 * How buyers may pay, for audit rows: the audit log redacts every key that looks like card data ("card" included),
 * so the setting is recorded as this list rather than under its own name.
 */
function methodsOf(acceptsCard: boolean): string[] {
  return acceptsCard ? ['SMS', 'CARD'] : ['SMS'];
}

/** GraphQL already types it; a service caller (seed, test) passing anything else is told which field. */
function checkAcceptsCard(value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new UserFacingError(UserErrorCode.INVALID, 'acceptsCard is true or false', field('acceptsCard'));
  }
  return value;
}

function checkEnum<T extends string>(values: Record<string, T>, value: T, name: string): T {
  if (!Object.values(values).includes(value)) {
    throw new UserFacingError(UserErrorCode.INVALID, `unknown ${name} "${value}"`, field(name));
  }
  return value;
}

/** A new project, audited and flushed with its audit row. */
export async function createVoucherProject(
  em: EntityManager,
  actor: AuditActor,
  merchantId: string,
  input: ProjectFields & { name: string; slug: string; price: string; kind: VoucherKind },
): Promise<VoucherProject> {
  const project = build(VoucherProject, {
    merchantId,
    name: checkName(input.name),
    slug: await checkSlug(em, input.slug, null),
    description: checkDescription(input.description ?? ''),
    logoUrl: checkLogoUrl(input.logoUrl ?? ''),
    priceMinor: checkPrice(input.price),
    pricing: checkEnum(VoucherPricing, input.pricing ?? VoucherPricing.PRICE, 'pricing'),
    countries: await checkCountries(em, input.countries ?? []),
    kind: checkEnum(VoucherKind, input.kind, 'kind'),
    active: input.active ?? true,
    reservationMinutes: checkReservationMinutes(input.reservationMinutes ?? 24 * 60),
    acceptsCard: checkAcceptsCard(input.acceptsCard ?? false),
  });
  em.persist(project);
  await flushAudited(em, actor, {
    action: 'voucherProject.create',
    merchantId,
    targetId: project.id,
    details: {
      name: project.name,
      slug: project.slug,
      price: project.price.amount,
      pricing: project.pricing,
      kind: project.kind,
      countries: project.countries,
      methods: methodsOf(project.acceptsCard),
    },
  });
  return project;
}

/**
 * Changes the given fields, all checked before any is applied (a refused change leaves the project as it was). The
 * kind of voucher is fixed once the project has stock: its vouchers are of that kind. Audited with what it was.
 */
export async function updateVoucherProject(
  em: EntityManager,
  actor: AuditActor,
  project: VoucherProject,
  input: ProjectFields & { id?: string },
): Promise<VoucherProject> {
  const before = {
    slug: project.slug,
    price: project.price.amount,
    pricing: project.pricing,
    methods: methodsOf(project.acceptsCard),
  };
  const changes: Partial<VoucherProject> = {};
  if (input.name != null) changes.name = checkName(input.name);
  if (input.slug != null) changes.slug = await checkSlug(em, input.slug, project.id);
  if (input.description != null) changes.description = checkDescription(input.description);
  if (input.logoUrl !== undefined) changes.logoUrl = checkLogoUrl(input.logoUrl ?? '');
  if (input.price != null) changes.priceMinor = checkPrice(input.price);
  if (input.pricing != null) changes.pricing = checkEnum(VoucherPricing, input.pricing, 'pricing');
  if (input.countries != null) changes.countries = await checkCountries(em, input.countries);
  if (input.kind != null && input.kind !== project.kind) {
    changes.kind = checkEnum(VoucherKind, input.kind, 'kind');
    if (await em.count(Voucher, { projectId: project.id })) {
      throw new UserFacingError(UserErrorCode.INVALID, 'the kind of voucher cannot change once stock is added', [
        'input',
        'kind',
      ]);
    }
  }
  if (input.active != null) changes.active = input.active;
  if (input.reservationMinutes != null) changes.reservationMinutes = checkReservationMinutes(input.reservationMinutes);
  // Turning card off stops new card payments at once; money a card already brought stays (settled like any other).
  if (input.acceptsCard != null) changes.acceptsCard = checkAcceptsCard(input.acceptsCard);
  Object.assign(project, changes, { updatedAt: new Date() });
  const changed: Record<string, unknown> = Object.fromEntries(
    Object.entries(input).filter(([key]) => key !== 'id' && key !== 'acceptsCard'),
  );
  if (input.acceptsCard != null) changed.methods = methodsOf(project.acceptsCard);
  await flushAudited(em, actor, {
    action: 'voucherProject.update',
    merchantId: project.merchantId,
    targetId: project.id,
    details: { before, changed },
  });
  return project;
}

/**
 * Adds the CSV's vouchers to the project's stock. Valid lines are added; each refused line (malformed, repeated in
 * the upload, already in the project) comes back as a line error, so uploading the same file again is harmless.
 * Audited (counts only: voucher codes never enter the audit log) when any were added.
 */
export async function addVouchers(
  em: EntityManager,
  actor: AuditActor,
  project: VoucherProject,
  csv: string,
): Promise<{ added: number; errors: LineError[] }> {
  const { vouchers, errors } = parseVoucherCsv(project.kind, csv);
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.transactional(async (tx) => {
        const existing = new Set<string>();
        for (let i = 0; i < vouchers.length; i += 500) {
          const hashes = vouchers.slice(i, i + 500).map((v) => v.codeHash);
          for (const row of await tx.find(
            Voucher,
            { projectId: project.id, codeHash: { $in: hashes } },
            {
              fields: ['codeHash'],
            },
          )) {
            existing.add(row.codeHash);
          }
        }
        const refused = [...errors];
        let added = 0;
        const now = new Date();
        // Ids in line order (ids sort by time, then at random within a millisecond): the stock sells first in, first
        // out, as the claim takes the lowest id.
        const ids = vouchers.map(() => newId('vch')).sort();
        for (const [index, voucher] of vouchers.entries()) {
          if (existing.has(voucher.codeHash)) {
            refused.push({
              line: voucher.line,
              code: UserErrorCode.TAKEN,
              message: `line ${voucher.line}: already in this project's stock`,
            });
            continue;
          }
          tx.persist(
            build(Voucher, {
              id: ids[index],
              projectId: project.id,
              merchantId: project.merchantId,
              code: voucher.code,
              password: voucher.password,
              codeHash: voucher.codeHash,
              createdAt: now,
              updatedAt: now,
            }),
          );
          added++;
        }
        refused.sort((a, b) => a.line - b.line);
        if (added) {
          recordAudit(tx, actor, {
            action: 'voucher.add',
            merchantId: project.merchantId,
            targetId: project.id,
            details: { added, refusedLines: refused.map((e) => e.line) },
          });
        }
        return { added, errors: refused };
      });
    } catch (error) {
      // A concurrent upload of the same codes won the unique index: check again, they are duplicates now.
      if (error instanceof UniqueConstraintViolationException && attempt < 3) {
        em.clear();
        continue;
      }
      throw error;
    }
  }
}

/** A buyer's message to the seller (seed V9). A payment number, if given, must be one of this project's. */
export async function sendVoucherFeedback(
  em: EntityManager,
  input: { slug: string; message: string; contact?: string | null; paymentNumber?: string | null },
): Promise<VoucherFeedback> {
  const project = await em.findOne(VoucherProject, { slug: input.slug.trim().toLowerCase() });
  if (!project) throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no such voucher page', field('slug'));
  const message = input.message.trim();
  if (!message) throw new UserFacingError(UserErrorCode.REQUIRED, 'write a message', field('message'));
  if (message.length > 2000) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 2000 characters', field('message'));
  }
  const contact = input.contact?.trim() || null;
  if (contact && contact.length > 200) {
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use at most 200 characters', field('contact'));
  }
  let paymentId: string | null = null;
  let paymentReference: string | null = null;
  if (input.paymentNumber?.trim()) {
    paymentReference = normaliseReference(input.paymentNumber);
    const payment = await em.findOne(Payment, { reference: paymentReference, kind: PaymentKind.VOUCHER });
    const order = payment && (await em.findOne(VoucherOrder, { paymentId: payment.id, projectId: project.id }));
    if (!order) {
      throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no payment with this number on this page', [
        'input',
        'paymentNumber',
      ]);
    }
    paymentId = order.paymentId;
  }
  const feedback = build(VoucherFeedback, {
    projectId: project.id,
    merchantId: project.merchantId,
    paymentId,
    paymentReference,
    message,
    contact,
  });
  em.persist(feedback);
  await em.flush();
  return feedback;
}

/**
 * Prepaid settlement (seed V10): the platform buys `count` of the project's available vouchers now and pays the
 * seller at once: settlement moves the block's price to the seller's available balance. The platform's money
 * comes from outside the ledger (WORLD), as any payer's does. Those vouchers' sales then credit the platform
 * (completeSale), and the seller cannot withdraw them from sale any more. Audited, in a transaction of its own.
 */
export async function prepayVoucherBlock(
  em: EntityManager,
  actor: AuditActor,
  project: VoucherProject,
  input: { count: number; unitPrice?: string | null },
): Promise<VoucherPrepaidBlock> {
  return em.transactional(async (tx) => {
    const block = await prepay(tx, project, input);
    recordAudit(tx, actor, {
      action: 'voucher.prepay',
      merchantId: project.merchantId,
      targetId: block.id,
      details: {
        projectId: project.id,
        count: block.count,
        unitPrice: block.unitPrice.amount,
        total: block.total.amount,
        transferId: block.transferId,
      },
    });
    return block;
  });
}

async function prepay(
  em: EntityManager,
  project: VoucherProject,
  input: { count: number; unitPrice?: string | null },
): Promise<VoucherPrepaidBlock> {
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > 100_000) {
    throw new UserFacingError(UserErrorCode.INVALID, 'buy between 1 and 100000 vouchers', field('count'));
  }
  const unitPriceMinor = input.unitPrice?.trim() ? checkPrice(input.unitPrice) : project.priceMinor;
  const now = new Date();
  const block = build(VoucherPrepaidBlock, {
    projectId: project.id,
    merchantId: project.merchantId,
    count: input.count,
    unitPriceMinor,
    createdAt: now,
  });
  const marked = await markPrepaid(em, { projectId: project.id, blockId: block.id, count: input.count, now });
  if (marked < input.count) {
    // Thrown inside the transaction: the vouchers marked so far are unmarked by the rollback.
    throw new UserFacingError(
      UserErrorCode.INVALID,
      `only ${marked} available voucher(s) can be prepaid; lower the count`,
      field('count'),
    );
  }
  block.transferId = await payPrepaidBlock(em, {
    blockId: block.id,
    merchantId: project.merchantId,
    currency: VOUCHER_CURRENCY,
    amountMinor: unitPriceMinor * BigInt(input.count),
    description: `Prepaid block of ${input.count} voucher(s) of "${project.name}"`,
  });
  em.persist(block);
  return block;
}

/** Takes an available voucher off sale, audited; says why when it cannot be (sold, held, prepaid, withdrawn). */
export async function withdrawVoucher(em: EntityManager, actor: AuditActor, voucher: Voucher): Promise<Voucher> {
  return em.transactional(async (tx) => {
    if ((await withdrawAvailable(tx, voucher.id, new Date())) === 0) {
      const current = await tx.findOneOrFail(Voucher, voucher.id, { refresh: true });
      const why =
        current.status === VoucherStatus.SOLD
          ? 'this voucher is sold'
          : current.status === VoucherStatus.RESERVED
            ? 'a payment in progress holds this voucher'
            : current.status === VoucherStatus.WITHDRAWN
              ? 'this voucher is already withdrawn'
              : 'the platform prepaid this voucher';
      throw new UserFacingError(
        current.status === VoucherStatus.WITHDRAWN ? UserErrorCode.ALREADY_RESOLVED : UserErrorCode.INVALID,
        `${why}; it cannot be withdrawn`,
        ['input', 'id'],
      );
    }
    recordAudit(tx, actor, {
      action: 'voucher.withdraw',
      merchantId: voucher.merchantId,
      targetId: voucher.id,
      details: { projectId: voucher.projectId },
    });
    return tx.findOneOrFail(Voucher, voucher.id, { refresh: true });
  });
}
