import type { FilterQuery } from '@mikro-orm/core';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../common/context';
import {
  actingMerchant,
  assertMerchantAccess,
  canAccessMerchant,
  isAdmin,
  merchantFilter,
  requireViewer,
} from '../../common/context';
import { graphqlError, payload } from '../../common/errors';
import { paginate } from '../../common/orm';
import { checkDateRange, rangeFilter } from '../../common/date-range';
import type { Connection } from '../../common/pagination';
import { SmsMessage } from '../sms';
import { maskPhone } from '../../common/phone';
import { checkerFor } from './access-code.checker';
import { codeLookup, PROOF_FORMULA } from './access-code.crypto';
import {
  AccessCode,
  AccessCodeCheck,
  AccessCodeCheckChannel,
  AccessCodeCheckResult,
  AccessCodeService,
  AccessCodeStatus,
} from './access-code.entity';
import { redirectTargets } from './access-code.landing';
import { CHECK_PATH } from './access-code.http';
import { codeCharacters, formatDuration, normaliseCode } from './access-code.rules';
import { publicService, startAccessCodePurchase } from './access-code.card';
import { AccessCodeKind, AccessCodePurchase } from './access-code.entity';
import { Money } from '../../common/money';
import { Payment, PaymentKind } from '../payment';
import {
  checksWhere,
  codeStatus,
  codeValue,
  createAccessCodeService,
  deleteAccessCodeService,
  exportChecksCsv,
  resendAccessCode,
  revealServiceSecret,
  revokeAccessCode,
  statusFilter,
  updateAccessCodeService,
} from './access-code.service';
import { IdInput } from '../../common/mutation';
import {
  AccessCodeOffer,
  AccessCodePurchaseView,
  PurchasedAccessCode,
  StartAccessCodePurchaseInput,
  StartAccessCodePurchasePayload,
  AccessCodeCheckConnection,
  AccessCodeChecksArgs,
  AccessCodeConnection,
  AccessCodePayload,
  AccessCodesArgs,
  AccessCodeServiceConnection,
  AccessCodeServicesArgs,
  AccessCodeVerdict,
  CreateAccessCodeServiceInput,
  CreateAccessCodeServicePayload,
  DeleteAccessCodeServicePayload,
  ExportAccessCodeChecksCsvInput,
  ExportAccessCodeChecksCsvPayload,
  MAX_EXPORT_ROWS,
  RevealAccessCodeServiceSecretPayload,
  ThrottledSource,
  UpdateAccessCodeServiceInput,
  UpdateAccessCodeServicePayload,
} from './access-code.types';

/** A service the caller may see; NOT_FOUND otherwise, the same for other tenants' ids as for unknown ones. */
async function loadService(ctx: Context, id: string): Promise<AccessCodeService> {
  const viewer = requireViewer(ctx);
  const service = await ctx.em.findOne(AccessCodeService, { id, deletedAt: null });
  if (!service || !canAccessMerchant(viewer, service.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
  return service;
}

async function loadCode(ctx: Context, id: string): Promise<{ code: AccessCode; service: AccessCodeService }> {
  const viewer = requireViewer(ctx);
  const code = await ctx.em.findOne(AccessCode, id);
  if (!code || !canAccessMerchant(viewer, code.merchantId)) throw graphqlError('NOT_FOUND', 'no such object');
  return { code, service: await ctx.em.findOneOrFail(AccessCodeService, code.serviceId) };
}

@Resolver(() => AccessCodeService)
export class AccessCodeServiceResolver {
  @Authorized()
  @Query(() => AccessCodeServiceConnection, { description: 'Access-code services the caller may see, newest first.' })
  accessCodeServices(
    @Args(() => AccessCodeServicesArgs) args: AccessCodeServicesArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<AccessCodeService>> {
    const where = { ...merchantFilter(requireViewer(ctx), args.merchantId), deletedAt: null };
    return paginate(ctx.em, AccessCodeService, where, args);
  }

  @Authorized()
  @Query(() => AccessCodeService, { description: 'One access-code service.' })
  accessCodeService(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<AccessCodeService> {
    return loadService(ctx, id);
  }

  @Authorized()
  @Query(() => AccessCodeVerdict, {
    description:
      'Checks a code server to server, with the same verdict as the check URL, and counts a use as it does. Only ' +
      "from the service's allowed addresses (FORBIDDEN otherwise); throttled like the check URL.",
  })
  async checkAccessCode(
    @Arg('serviceId', () => ID) serviceId: string,
    @Arg('code', () => String) code: string,
    @Ctx() ctx: Context,
  ): Promise<AccessCodeVerdict> {
    const viewer = requireViewer(ctx);
    const outcome = await checkerFor(ctx.em, ctx.config, ctx.limits).check({
      serviceId,
      code,
      ip: ctx.ip,
      channel: AccessCodeCheckChannel.GRAPHQL,
      // Another tenant's service is as unknown as a missing one, and its codes are never touched.
      assertAccess: (service) => assertMerchantAccess(viewer, service.merchantId),
    });
    switch (outcome.kind) {
      case 'NO_SERVICE':
        throw graphqlError('NOT_FOUND', 'no such object');
      case 'FORBIDDEN':
        throw graphqlError('FORBIDDEN', 'this address may not check codes of this service');
      case 'THROTTLED':
        return {
          verdict: 'THROTTLED',
          result: AccessCodeCheckResult.THROTTLED,
          expiresAt: null,
          usesLeft: null,
          retryAfterSeconds: outcome.retryAfterSeconds,
          proof: null,
        };
      case 'VERDICT':
        return {
          verdict: outcome.verdict,
          result: outcome.result,
          expiresAt: outcome.expiresAt,
          usesLeft: outcome.usesLeft,
          retryAfterSeconds: null,
          proof: outcome.proof,
        };
    }
  }

  @Authorized()
  @Mutation(() => CreateAccessCodeServicePayload, {
    description: 'Creates an access-code service; the payload carries its signing secret.',
  })
  async createAccessCodeService(
    @Arg('input', () => CreateAccessCodeServiceInput) input: CreateAccessCodeServiceInput,
    @Ctx() ctx: Context,
  ): Promise<CreateAccessCodeServicePayload> {
    const merchantId = actingMerchant(requireViewer(ctx), input.merchantId);
    return payload(
      (created, userErrors) => ({
        accessCodeService: created?.service ?? null,
        secret: created?.secret ?? null,
        userErrors,
      }),
      () => createAccessCodeService(ctx.em, ctx, ctx.config, { ...input, merchantId }),
    );
  }

  @Authorized()
  @Mutation(() => UpdateAccessCodeServicePayload, {
    description: 'Changes a service (codes already issued keep their rules), or rotates its signing secret.',
  })
  async updateAccessCodeService(
    @Arg('input', () => UpdateAccessCodeServiceInput) input: UpdateAccessCodeServiceInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateAccessCodeServicePayload> {
    const loaded = await loadService(ctx, input.id);
    return payload(
      (updated, userErrors) => ({
        accessCodeService: updated?.service ?? loaded,
        secret: updated?.secret ?? null,
        userErrors,
      }),
      () => updateAccessCodeService(ctx.em, ctx, ctx.config, checkerFor(ctx.em, ctx.config, ctx.limits), loaded, input),
    );
  }

  @Authorized()
  @Mutation(() => DeleteAccessCodeServicePayload, {
    description: 'Deletes a service: its SMS keyword is freed and its check URL answers 404. Codes stay listed.',
  })
  async deleteAccessCodeService(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<DeleteAccessCodeServicePayload> {
    const loaded = await loadService(ctx, input.id);
    return payload(
      (deleted, userErrors) => ({ deletedAccessCodeServiceId: deleted ?? null, userErrors }),
      () => deleteAccessCodeService(ctx.em, ctx, checkerFor(ctx.em, ctx.config, ctx.limits), loaded),
    );
  }

  @Authorized()
  @Mutation(() => RevealAccessCodeServiceSecretPayload, {
    description: "Shows a service's signing secret; every reveal is in the audit log.",
  })
  async revealAccessCodeServiceSecret(
    @Arg('input', () => IdInput) input: IdInput,
    @Ctx() ctx: Context,
  ): Promise<RevealAccessCodeServiceSecretPayload> {
    const service = await loadService(ctx, input.id);
    return { secret: await revealServiceSecret(ctx.em, ctx, service), userErrors: [] };
  }

  @Authorized()
  @Mutation(() => ExportAccessCodeChecksCsvPayload, {
    description: `A service's check attempts as CSV, newest first, at most ${MAX_EXPORT_ROWS} rows (audited).`,
  })
  async exportAccessCodeChecksCsv(
    @Arg('input', () => ExportAccessCodeChecksCsvInput) input: ExportAccessCodeChecksCsvInput,
    @Ctx() ctx: Context,
  ): Promise<ExportAccessCodeChecksCsvPayload> {
    checkDateRange(input);
    const service = await loadService(ctx, input.serviceId);
    const exported = await exportChecksCsv(ctx.em, ctx, checkerFor(ctx.em, ctx.config, ctx.limits), service, input);
    return { ...exported, userErrors: [] };
  }

  @FieldResolver(() => String, { description: 'Where the merchant sends payers: GET with ?code=…; POST for servers.' })
  checkUrl(@Root() service: AccessCodeService, @Ctx() ctx: Context): string {
    return `${ctx.config.publicUrl}${CHECK_PATH}/${service.id}`;
  }

  @FieldResolver(() => String, {
    description:
      "Where a good code really sends the payer: paidUrl, or when it is empty Tollgate's landing page, which " +
      "speaks the payer's language (the check link's ?lang=, else the browser's).",
  })
  paidRedirectUrl(@Root() service: AccessCodeService, @Ctx() ctx: Context): string {
    return redirectTargets(service, ctx.config.publicUrl).paid;
  }

  @FieldResolver(() => String, {
    description: "Where an expired or used-up code really sends the payer: expiredUrl, or Tollgate's landing page.",
  })
  expiredRedirectUrl(@Root() service: AccessCodeService, @Ctx() ctx: Context): string {
    return redirectTargets(service, ctx.config.publicUrl).expired;
  }

  @FieldResolver(() => String, {
    description: "Where an unknown or revoked code really sends the payer: invalidUrl, or Tollgate's landing page.",
  })
  invalidRedirectUrl(@Root() service: AccessCodeService, @Ctx() ctx: Context): string {
    return redirectTargets(service, ctx.config.publicUrl).invalid;
  }

  @FieldResolver(() => String, { description: 'The characters codes are drawn from, after every exclusion.' })
  characters(@Root() service: AccessCodeService): string {
    return codeCharacters(service.alphabet, service.excludedCharacters);
  }

  @FieldResolver(() => String, { description: "How the paid redirect's `sig` is made, for the merchant to verify it." })
  proofFormula(): string {
    return PROOF_FORMULA;
  }

  @FieldResolver(() => [ThrottledSource], {
    description: 'Sources now slowed or refused for invalid checks of this service (counted by every server process).',
  })
  throttledSources(@Root() service: AccessCodeService, @Ctx() ctx: Context): Promise<ThrottledSource[]> {
    return checkerFor(ctx.em, ctx.config, ctx.limits).throttledSources(service.id);
  }

  @FieldResolver(() => Int, { description: 'Invalid checks in the current minute (counted by every server process).' })
  recentInvalidChecks(@Root() service: AccessCodeService, @Ctx() ctx: Context): Promise<number> {
    return checkerFor(ctx.em, ctx.config, ctx.limits).throttle.recentInvalid(service.id);
  }

  @FieldResolver(() => Int, { description: 'Codes that admit checks now.' })
  activeCodeCount(@Root() service: AccessCodeService, @Ctx() ctx: Context): Promise<number> {
    return ctx.em.count(AccessCode, { $and: [{ serviceId: service.id }, statusFilter(AccessCodeStatus.ACTIVE)] });
  }
}

@Resolver(() => AccessCode)
export class AccessCodeResolver {
  @Authorized()
  @Query(() => AccessCodeConnection, { description: "A service's issued codes, newest first (seed A3)." })
  async accessCodes(
    @Args(() => AccessCodesArgs) args: AccessCodesArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<AccessCode>> {
    const service = await loadService(ctx, args.serviceId);
    const where: FilterQuery<AccessCode> = {
      $and: [
        { serviceId: service.id },
        args.status ? statusFilter(args.status) : {},
        args.code ? { lookup: codeLookup(ctx.config.sessionSecret, service.id, normaliseCode(args.code)) } : {},
        rangeFilter('issuedAt', args),
      ],
    };
    const page = await paginate(ctx.em, AccessCode, where, args);
    // The buying SMS of the page in one query; `phone` then finds them in the identity map.
    const smsIds = page.edges.flatMap((edge) => (edge.node.smsId ? [edge.node.smsId] : []));
    if (smsIds.length) await ctx.em.find(SmsMessage, { id: { $in: smsIds } });
    return page;
  }

  @Authorized()
  @Query(() => AccessCodeCheckConnection, { description: "A service's check attempts, newest first (seed A3)." })
  async accessCodeChecks(
    @Args(() => AccessCodeChecksArgs) args: AccessCodeChecksArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<AccessCodeCheck>> {
    checkDateRange(args);
    const service = await loadService(ctx, args.serviceId);
    return paginate(ctx.em, AccessCodeCheck, checksWhere({ ...args, serviceId: service.id }), args);
  }

  @Authorized()
  @Mutation(() => AccessCodePayload, { description: 'Revokes a code: it admits nothing more (audited).' })
  async revokeAccessCode(@Arg('input', () => IdInput) input: IdInput, @Ctx() ctx: Context): Promise<AccessCodePayload> {
    const { code } = await loadCode(ctx, input.id);
    return payload(
      (accessCode, userErrors) => ({ accessCode: accessCode ?? code, userErrors }),
      () => revokeAccessCode(ctx.em, ctx, code),
    );
  }

  @Authorized()
  @Mutation(() => AccessCodePayload, {
    description: "Sends a code again to the phone that bought it, within the service's replies per SMS (audited).",
  })
  async resendAccessCode(@Arg('input', () => IdInput) input: IdInput, @Ctx() ctx: Context): Promise<AccessCodePayload> {
    const { code, service } = await loadCode(ctx, input.id);
    return payload(
      (accessCode, userErrors) => ({ accessCode: accessCode ?? code, userErrors }),
      () => resendAccessCode(ctx.em, ctx, ctx.config, service, code.id),
    );
  }

  @FieldResolver(() => String, { description: 'The code itself, as the payer types it.' })
  code(@Root() code: AccessCode, @Ctx() ctx: Context): string {
    return codeValue(ctx.config, code);
  }

  @FieldResolver(() => AccessCodeStatus)
  status(@Root() code: AccessCode): AccessCodeStatus {
    return codeStatus(code);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'The buying phone (masked for merchants); null for a code bought by card.',
  })
  async phone(@Root() code: AccessCode, @Ctx() ctx: Context): Promise<string | null> {
    if (!code.smsId) return null; // bought by card
    const sms = await ctx.em.findOne(SmsMessage, code.smsId);
    if (!sms) return null;
    return isAdmin(ctx.viewer) ? sms.fromNumber : maskPhone(sms.fromNumber);
  }
}

/** The code an inbound SMS bought, on the SMS's own row: it is issued in the transaction that counts the SMS. */
@Resolver(() => SmsMessage)
export class SmsAccessCodeResolver {
  @FieldResolver(() => AccessCode, { nullable: true, description: 'The access code this SMS bought, if any.' })
  async accessCode(@Root() sms: SmsMessage, @Ctx() ctx: Context): Promise<AccessCode | null> {
    if (!ctx.viewer || !sms.merchantId || sms.product !== 'access-code') return null;
    // A fresh fork: under a subscription the context's entity manager lives as long as the socket.
    const code = await ctx.em.fork().findOne(AccessCode, { smsId: sms.id });
    return code && canAccessMerchant(ctx.viewer, code.merchantId) ? code : null;
  }
}

/** Page tokens are base64url (see the payment module); anything else addresses nothing. */
const PAGE_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/** What a code of the service admits, in words, for the purchase page. */
function validityOf(service: AccessCodeService): string {
  const period = service.validitySeconds !== null ? formatDuration(service.validitySeconds) : null;
  const uses = service.maxUses !== null ? `${service.maxUses} use${service.maxUses === 1 ? '' : 's'}` : null;
  switch (service.kind) {
    case AccessCodeKind.PERIOD_FROM_ISSUE:
      return `${period} from purchase`;
    case AccessCodeKind.PERIOD_FROM_FIRST_USE:
      return `${period} from first use`;
    case AccessCodeKind.USES:
      return `${uses}, no time limit`;
    case AccessCodeKind.USES_AND_PERIOD:
      return `${uses} within ${period} from purchase`;
  }
}

/** "dana@example.com" → "d***@example.com": the page shows where the code goes without spelling it out. */
function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

async function toPurchaseView(
  ctx: Context,
  purchase: AccessCodePurchase,
  payment: Payment,
): Promise<AccessCodePurchaseView> {
  const em = ctx.em.fork();
  const service = await em.findOneOrFail(AccessCodeService, purchase.serviceId);
  const code = purchase.codeId ? await em.findOne(AccessCode, purchase.codeId) : null;
  return Object.assign(new AccessCodePurchaseView(), {
    token: payment.pageToken,
    reference: payment.reference,
    status: payment.status,
    amount: Money.of(payment.amount, payment.currency),
    amountReceived: Money.of(payment.amountReceived, payment.currency),
    serviceName: service.name,
    email: maskEmail(purchase.email),
    paidAt: payment.paidAt,
    accessCode: code
      ? Object.assign(new PurchasedAccessCode(), {
          code: codeValue(ctx.config, code),
          kind: code.kind,
          expiresAt: code.expiresAt,
          usesLeft: code.usesLeft,
          status: codeStatus(code),
          checkUrl: `${ctx.config.publicUrl}${CHECK_PATH}/${code.serviceId}`,
        })
      : null,
  });
}

/** Buying a code by card: the public page's offer, the start, and the purchase by its page token (no login). */
@Resolver(() => AccessCodePurchaseView)
export class AccessCodePurchaseResolver {
  @Query(() => AccessCodeOffer, {
    nullable: true,
    description: "A service's public purchase page (no login): its name, card price and validity. Null if unknown.",
  })
  async accessCodeOffer(
    @Arg('serviceId', () => ID) serviceId: string,
    @Ctx() ctx: Context,
  ): Promise<AccessCodeOffer | null> {
    const service = await publicService(ctx.em, serviceId);
    if (!service) return null;
    const price = service.acceptsCard ? service.cardPrice : null;
    return Object.assign(new AccessCodeOffer(), {
      merchantId: service.merchantId,
      serviceId: service.id,
      name: service.name,
      acceptsCard: price !== null,
      price,
      validity: validityOf(service),
    });
  }

  @Mutation(() => StartAccessCodePurchasePayload, {
    description:
      'Starts buying a code of a service by card (public, no login): a payment at its card price, and the email the ' +
      'code goes to. Pay it on the card form with the returned token; once paid, the code shows on ' +
      'accessCodePurchase(token) and is mailed (never sent by SMS). Refused unless the service sells by card. ' +
      'Budgets per address and per service: past them, RATE_LIMITED (HTTP 429).',
  })
  async startAccessCodePurchase(
    @Arg('input', () => StartAccessCodePurchaseInput) input: StartAccessCodePurchaseInput,
    @Ctx() ctx: Context,
  ): Promise<StartAccessCodePurchasePayload> {
    await ctx.limits.consume(
      ['access-code-start:ip', ctx.ip],
      ['access-code-start:service', input.serviceId.trim().slice(0, 60)],
    );
    return payload(
      (purchase, userErrors) => ({ purchase, userErrors }),
      async () => {
        const started = await startAccessCodePurchase(ctx.em, ctx.pubsub, input);
        return toPurchaseView(ctx, started.purchase, started.payment);
      },
    );
  }

  @Query(() => AccessCodePurchaseView, {
    nullable: true,
    description:
      "A buyer's access-code purchase by its page token (public, no login): the payment, and the code once paid. " +
      'Only the holder of the token sees the code.',
  })
  async accessCodePurchase(
    @Arg('token', () => String) token: string,
    @Ctx() ctx: Context,
  ): Promise<AccessCodePurchaseView | null> {
    await ctx.limits.consume(['payer-page:ip', ctx.ip]);
    if (!PAGE_TOKEN.test(token)) return null;
    const em = ctx.em.fork();
    const payment = await em.findOne(Payment, { pageToken: token, kind: PaymentKind.ACCESS_CODE });
    const purchase = payment && (await em.findOne(AccessCodePurchase, { paymentId: payment.id }));
    return purchase && payment ? toPurchaseView(ctx, purchase, payment) : null;
  }
}
