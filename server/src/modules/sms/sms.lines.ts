import type { EntityManager } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import type { Payment } from '../payment';
import { SmsDirection, SmsMessage, SmsStatus } from './sms.entity';
import { TAKING_MONEY, type ExpectedSms, type SmsProduct } from './sms.products';

export enum SmsLineState {
  EXPECTED = 'EXPECTED',
  RECEIVED = 'RECEIVED',
  NOT_COUNTED = 'NOT_COUNTED',
}
registerEnumType(SmsLineState, {
  name: 'SmsLineState',
  description:
    'EXPECTED: still to send; RECEIVED: arrived and counted; NOT_COUNTED: arrived but not counted (e.g. sent from ' +
    'another phone number).',
});

@ObjectType({
  description:
    "One SMS of a payer's instruction (seed V7): expected until it arrives, then received. Carries no phone numbers.",
})
export class PaymentSmsLine {
  @Field(() => SmsLineState)
  state!: SmsLineState;

  @Field(() => String, { nullable: true, description: 'The short code to send to (null: any of the payment’s).' })
  shortCode!: string | null;

  @Field(() => String, { description: 'The text to send, or that was sent.' })
  text!: string;

  @Field(() => String, { nullable: true, description: 'ISO country the SMS is (or was) sent from.' })
  country!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it arrived; null while expected.' })
  receivedAt!: Date | null;
}

function line(fields: PaymentSmsLine): PaymentSmsLine {
  return Object.assign(new PaymentSmsLine(), fields);
}

/**
 * A payment's SMS as its payer sees them: the product's instruction (each expected SMS, in order), each one turned
 * RECEIVED by a counted SMS to its short code (and country, if it names one); counted SMS beyond the instruction and
 * uncounted ones follow. Without an instruction from its product, a payment still taking money shows one expected
 * line: its reference, to any of its short codes.
 */
export async function paymentSmsLines(
  em: EntityManager,
  products: readonly SmsProduct[],
  payment: Payment,
): Promise<PaymentSmsLine[]> {
  let expected: ExpectedSms[] | null = null;
  for (const product of products) {
    expected = (await product.instruction?.(em, payment)) ?? null;
    if (expected) break;
  }
  const lines = (expected ?? []).map((sms) =>
    line({
      state: SmsLineState.EXPECTED,
      shortCode: sms.shortCode,
      text: sms.text,
      country: sms.country ?? null,
      receivedAt: null,
    }),
  );
  const received = await em.find(
    SmsMessage,
    { paymentId: payment.id, direction: SmsDirection.IN, status: { $in: [SmsStatus.COUNTED, SmsStatus.FLAGGED] } },
    { orderBy: { id: 'asc' } },
  );
  for (const sms of received) {
    const arrived = line({
      state: sms.status === SmsStatus.COUNTED ? SmsLineState.RECEIVED : SmsLineState.NOT_COUNTED,
      shortCode: sms.toNumber,
      text: sms.text,
      country: sms.country,
      receivedAt: sms.receivedAt,
    });
    const slot =
      arrived.state === SmsLineState.RECEIVED
        ? lines.findIndex(
            (l) =>
              l.state === SmsLineState.EXPECTED &&
              l.shortCode === sms.toNumber &&
              (!l.country || l.country === sms.country),
          )
        : -1;
    if (slot >= 0) lines[slot] = arrived;
    else lines.push(arrived);
  }
  if (!expected && TAKING_MONEY.includes(payment.status)) {
    lines.push(
      line({ state: SmsLineState.EXPECTED, shortCode: null, text: payment.reference, country: null, receivedAt: null }),
    );
  }
  return lines;
}
