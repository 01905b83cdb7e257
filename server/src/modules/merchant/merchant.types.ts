import { Field, ID, InputType, Int } from 'type-graphql';
import { PayloadType } from '../../common/mutation';
import { ConnectionType } from '../../common/pagination';
import { Merchant } from './merchant.entity';

export const MerchantConnection = ConnectionType(Merchant, 'Merchant');

@InputType()
export class UpdatePayerCreditPeriodInput {
  @Field(() => ID, { nullable: true, description: 'The merchant (admins, partners); default: the caller’s own.' })
  merchantId?: string | null;

  @Field(() => Int, {
    description: 'Days unused payer credit waits before it is released to the merchant; at least the platform minimum.',
  })
  days!: number;
}

export const UpdatePayerCreditPeriodPayload = PayloadType(() => Merchant, 'UpdatePayerCreditPeriod', {
  field: 'merchant',
});
export type UpdatePayerCreditPeriodPayload = InstanceType<typeof UpdatePayerCreditPeriodPayload>;

@InputType()
export class MerchantSuspensionInput {
  @Field(() => ID)
  merchantId!: string;

  @Field(() => String, { description: 'Why, up to 500 characters; kept in the audit log and the event.' })
  reason!: string;
}

export const MerchantSuspensionPayload = PayloadType(() => Merchant, 'MerchantSuspension', { field: 'merchant' });
export type MerchantSuspensionPayload = InstanceType<typeof MerchantSuspensionPayload>;
