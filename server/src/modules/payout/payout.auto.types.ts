import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { PayloadType } from '../../common/mutation';
import { ConfirmationCode } from '../confirmation';
import { AutoPayout, AutoPayoutSchedule } from './payout.entity';

@InputType({ description: 'Automatic payouts of one currency’s balance; confirmed by the code emailed to the owner.' })
export class RequestAutoPayoutInput {
  @Field(() => ID, { nullable: true, description: 'The merchant (a partner acting for a sub-merchant).' })
  merchantId?: string | null;

  @Field(() => String, { description: 'ISO 4217 code of the balance to pay out, e.g. "EUR".' })
  currency!: string;

  @Field(() => AutoPayoutSchedule)
  schedule!: AutoPayoutSchedule;

  @Field(() => String, {
    description: 'What stays in the available balance, as a decimal string ("0" to pay out everything).',
  })
  reserve!: string;

  @Field(() => ID, { description: 'An active payout destination of the merchant.' })
  destinationId!: string;
}

@ObjectType('AutoPayoutPayload', { description: 'Automatic payouts, and the code sent to confirm a change.' })
export class AutoPayoutPayload extends PayloadType(() => AutoPayout, 'AutoPayout', {
  field: 'autoPayout',
  extended: true,
}) {
  @Field(() => ConfirmationCode, { nullable: true, description: 'The code emailed to the owner, when one was sent.' })
  confirmation!: ConfirmationCode | null;
}
