import type { EntityManager } from '@mikro-orm/core';
import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context, PubSubLike, Viewer } from '../../common/context';
import type { Config } from '../../common/config';
import { payload, UserErrorCode, UserFacingError } from '../../common/errors';
import { parseAmount } from '../../common/money';
import { nextState } from '../../common/state-machine';
import { recordAudit } from '../audit';
import { Payment } from '../payment';
import { lockPayment, normaliseReference } from '../payment';
import { attachSuspended, creditSuspended, openSuspenseItem, writeOffSuspended } from '../payment';
import { SuspenseItem } from '../payment';
import { SMS_TRANSITIONS, SmsMessage } from './sms.entity';
import { announceSms } from './sms.events';
import { BUILT_IN_PRODUCT, smsProductsOf, TAKING_MONEY, type SmsProduct, type SmsReceived } from './sms.products';
import {
  ResolveSuspenseItemInput,
  ResolveSuspenseItemPayload,
  SuspenseAction,
  type SuspenseResolution,
} from './sms.types';

/*
 * An admin resolves a billed SMS that waits in suspense (settlement keeps the list and the money): attach it to a
 * payment — the rails count it there as if it had named that payment, so the payment's product reacts as to any
 * counted SMS (a voucher is sold, a purse calls back) — credit it to its payer, or write it off with a reason.
 */

interface ResolveDeps {
  em: EntityManager;
  pubsub: PubSubLike | null;
  config: Config;
  products: readonly SmsProduct[];
  actor: { viewer: Viewer | null; ip?: string | null };
}

export async function resolveSuspendedSms(deps: ResolveDeps, input: SuspenseResolution): Promise<SuspenseItem> {
  const by = deps.actor.viewer?.userId ? `admin ${deps.actor.viewer.userId}` : 'an admin';
  return deps.em.transactional(async (em) => {
    const item = await openSuspenseItem(em, input.id);
    const sms = await em.findOneOrFail(SmsMessage, item.smsId);
    const stated = input.amount?.trim() ? statedAmount(input.amount, item.currency) : null;
    if (input.action === SuspenseAction.ATTACH) {
      await attach(em, deps, { item, sms, stated, by, reference: input.paymentReference ?? '' });
    } else if (input.action === SuspenseAction.CREDIT) {
      const merchantId = item.merchantId ?? input.merchantId?.trim();
      if (!merchantId) {
        throw new UserFacingError(UserErrorCode.REQUIRED, 'name the merchant the payer has credit with', [
          'input',
          'merchantId',
        ]);
      }
      await creditSuspended(em, { item, merchantId, statedAmount: stated, by });
      sms.status = nextState(SMS_TRANSITIONS, sms.status, 'credit');
      sms.merchantId ??= merchantId;
      sms.updatedAt = new Date();
      announceSms(em, deps.pubsub, sms, null);
    } else {
      await writeOffSuspended(em, { item, reason: input.reason ?? '', by });
    }
    recordAudit(em, deps.actor, {
      action: 'suspense.resolve',
      merchantId: item.merchantId,
      targetId: item.id,
      details: { action: input.action, smsId: item.smsId, resolvedTo: item.resolvedTo, reason: input.reason ?? null },
    });
    return item;
  });
}

async function attach(
  em: EntityManager,
  deps: ResolveDeps,
  input: { item: SuspenseItem; sms: SmsMessage; stated: bigint | null; by: string; reference: string },
): Promise<void> {
  const { item, sms } = input;
  const found = await em.findOne(Payment, { reference: normaliseReference(input.reference) });
  const payment = found && (await lockPayment(em, found.id));
  if (!payment) {
    throw new UserFacingError(UserErrorCode.NOT_FOUND, 'no payment has this reference', ['input', 'paymentReference']);
  }
  if (!TAKING_MONEY.includes(payment.status) || payment.currency !== item.currency) {
    throw new UserFacingError(UserErrorCode.INVALID, 'this payment does not take SMS money now', [
      'input',
      'paymentReference',
    ]);
  }
  // The payment's product counts it as it would count an SMS naming this payment (its own recognition, which
  // only reads).
  const product =
    deps.products.find((candidate) => candidate.kinds?.includes(payment.kind)) ??
    deps.products.find((candidate) => candidate.name === BUILT_IN_PRODUCT)!;
  const probe = Object.assign(new SmsMessage(), sms, { text: payment.reference });
  const match = await product.recognise(em, probe);
  if (!match || !('paymentId' in match) || match.paymentId !== payment.id) {
    throw new UserFacingError(UserErrorCode.INVALID, 'an SMS cannot be attached to this kind of payment', [
      'input',
      'paymentReference',
    ]);
  }
  const { credited, paidNow } = await attachSuspended(em, deps.pubsub, {
    item,
    payment,
    mode: match.count ?? 'YIELD',
    statedAmount: input.stated,
    by: input.by,
  });
  sms.status = nextState(SMS_TRANSITIONS, sms.status, 'attach');
  sms.flagReason = null;
  sms.merchantId = payment.merchantId;
  sms.paymentId = payment.id;
  sms.product = product.name;
  sms.creditedMinor = credited;
  sms.updatedAt = new Date();
  payment.payerPhone ??= sms.fromNumber;
  payment.payerCountry ??= sms.country;
  const event: SmsReceived = {
    sms,
    payment,
    outcome: 'COUNTED',
    counted: true,
    paidNow,
    credit: null,
    creditSpent: 0n,
    pubsub: deps.pubsub,
    config: deps.config,
  };
  await product.onReceived?.(em, event);
  announceSms(em, deps.pubsub, sms, payment);
}

function statedAmount(amount: string, currency: string): bigint {
  try {
    const minor = parseAmount(amount.trim(), currency);
    if (minor > 0n) return minor;
  } catch {
    // answered below
  }
  throw new UserFacingError(UserErrorCode.INVALID_AMOUNT, 'enter a positive amount like 1.33', ['input', 'amount']);
}

@Resolver()
export class SuspenseResolutionResolver {
  @Authorized('ADMIN')
  @Mutation(() => ResolveSuspenseItemPayload, {
    description:
      'Resolves a billed SMS waiting in suspense: attach it to a payment, credit its payer, or write it off.',
  })
  resolveSuspenseItem(
    @Arg('input', () => ResolveSuspenseItemInput) input: ResolveSuspenseItemInput,
    @Ctx() ctx: Context,
  ): Promise<ResolveSuspenseItemPayload> {
    return payload(
      (item, userErrors) => ({ item, userErrors }),
      () => resolveSuspendedSms({ ...ctx, products: smsProductsOf(ctx.extensions), actor: ctx }, input),
    );
  }
}
