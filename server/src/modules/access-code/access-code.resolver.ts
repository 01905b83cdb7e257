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
import type { Connection } from '../../common/pagination';
import { recordAudit } from '../audit';
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
import { CHECK_PATH } from './access-code.http';
import { codeCharacters, normaliseCode } from './access-code.rules';
import {
  codeStatus,
  codeValue,
  createService,
  deleteService,
  resendCode,
  revokeCode,
  statusFilter,
  updateService,
} from './access-code.service';
import { IdInput } from '../../common/mutation';
import {
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

function checksWhere(args: {
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
  };
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
    const outcome = await checkerFor(ctx.em, ctx.config).check({
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
      () =>
        ctx.em.transactional(async (em) => {
          const created = await createService(em, ctx.config, { ...input, merchantId });
          recordAudit(em, ctx, {
            action: 'accessCodeService.create',
            merchantId,
            targetId: created.service.id,
            details: { ...settingsDetails(created.service), secret: true },
          });
          return created;
        }),
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
      async () => {
        const result = await ctx.em.transactional(async (em) => {
          const service = await em.findOneOrFail(AccessCodeService, loaded.id);
          const updated = await updateService(em, ctx.config, service, input);
          recordAudit(em, ctx, {
            action: 'accessCodeService.update',
            merchantId: service.merchantId,
            targetId: service.id,
            details: { ...settingsDetails(service), ...(updated.secret ? { secret: true } : {}) },
          });
          return updated;
        });
        checkerFor(ctx.em, ctx.config).forget(loaded.id);
        await ctx.em.refresh(loaded);
        return { service: loaded, secret: result.secret };
      },
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
      async () => {
        await ctx.em.transactional(async (em) => {
          const service = await em.findOneOrFail(AccessCodeService, loaded.id);
          await deleteService(em, service);
          recordAudit(em, ctx, {
            action: 'accessCodeService.delete',
            merchantId: service.merchantId,
            targetId: service.id,
            details: { name: service.name, keyword: service.keyword },
          });
        });
        checkerFor(ctx.em, ctx.config).forget(loaded.id);
        return loaded.id;
      },
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
    recordAudit(ctx.em, ctx, {
      action: 'accessCodeService.revealSecret',
      merchantId: service.merchantId,
      targetId: service.id,
    });
    // The audit row commits before the secret leaves the server.
    await ctx.em.flush();
    return { secret: service.secret, userErrors: [] };
  }

  @Authorized()
  @Mutation(() => ExportAccessCodeChecksCsvPayload, {
    description: `A service's check attempts as CSV, newest first, at most ${MAX_EXPORT_ROWS} rows (audited).`,
  })
  async exportAccessCodeChecksCsv(
    @Arg('input', () => ExportAccessCodeChecksCsvInput) input: ExportAccessCodeChecksCsvInput,
    @Ctx() ctx: Context,
  ): Promise<ExportAccessCodeChecksCsvPayload> {
    const service = await loadService(ctx, input.serviceId);
    // Attempts still queued belong in the export too.
    await checkerFor(ctx.em, ctx.config).recorder.flush();
    const rows = await ctx.em.find(AccessCodeCheck, checksWhere(input), {
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
    recordAudit(ctx.em, ctx, {
      action: 'accessCodeChecks.export',
      merchantId: service.merchantId,
      targetId: service.id,
      details: {
        result: input.result ?? null,
        from: input.from?.toISOString() ?? null,
        to: input.to?.toISOString() ?? null,
        rows: shown.length,
      },
    });
    await ctx.em.flush();
    return { csv: `${lines.join('\r\n')}\r\n`, rowCount: shown.length, truncated, userErrors: [] };
  }

  @FieldResolver(() => String, { description: 'Where the merchant sends payers: GET with ?code=…; POST for servers.' })
  checkUrl(@Root() service: AccessCodeService, @Ctx() ctx: Context): string {
    return `${ctx.config.publicUrl}${CHECK_PATH}/${service.id}`;
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
    description: 'Sources now slowed or refused for invalid checks of this service (as this server process sees it).',
  })
  throttledSources(@Root() service: AccessCodeService, @Ctx() ctx: Context): ThrottledSource[] {
    return checkerFor(ctx.em, ctx.config).throttle.throttledSources(service.id);
  }

  @FieldResolver(() => Int, { description: 'Invalid checks in the current minute (this server process).' })
  recentInvalidChecks(@Root() service: AccessCodeService, @Ctx() ctx: Context): number {
    return checkerFor(ctx.em, ctx.config).throttle.recentInvalid(service.id);
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
      ],
    };
    const page = await paginate(ctx.em, AccessCode, where, args);
    // The buying SMS of the page in one query; `phone` then finds them in the identity map.
    const smsIds = page.edges.map((edge) => edge.node.smsId);
    if (smsIds.length) await ctx.em.find(SmsMessage, { id: { $in: smsIds } });
    return page;
  }

  @Authorized()
  @Query(() => AccessCodeCheckConnection, { description: "A service's check attempts, newest first (seed A3)." })
  async accessCodeChecks(
    @Args(() => AccessCodeChecksArgs) args: AccessCodeChecksArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<AccessCodeCheck>> {
    const service = await loadService(ctx, args.serviceId);
    return paginate(ctx.em, AccessCodeCheck, checksWhere({ ...args, serviceId: service.id }), args);
  }

  @Authorized()
  @Mutation(() => AccessCodePayload, { description: 'Revokes a code: it admits nothing more (audited).' })
  async revokeAccessCode(@Arg('input', () => IdInput) input: IdInput, @Ctx() ctx: Context): Promise<AccessCodePayload> {
    const { code } = await loadCode(ctx, input.id);
    return payload(
      (accessCode, userErrors) => ({ accessCode: accessCode ?? code, userErrors }),
      async () => {
        revokeCode(code);
        recordAudit(ctx.em, ctx, {
          action: 'accessCode.revoke',
          merchantId: code.merchantId,
          targetId: code.id,
          details: { serviceId: code.serviceId },
        });
        await ctx.em.flush();
        return code;
      },
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
      () =>
        ctx.em.transactional(async (em) => {
          const resent = await resendCode(em, ctx.config, service, await em.findOneOrFail(AccessCode, code.id));
          recordAudit(em, ctx, {
            action: 'accessCode.resend',
            merchantId: code.merchantId,
            targetId: code.id,
            details: { serviceId: code.serviceId, replies: resent.repliesSent },
          });
          return resent;
        }),
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

  @FieldResolver(() => String, { nullable: true, description: 'The buying phone (masked for merchants).' })
  async phone(@Root() code: AccessCode, @Ctx() ctx: Context): Promise<string | null> {
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
