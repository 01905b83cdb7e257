import { Field, ID, InputType, Int } from 'type-graphql';
import { PayloadType } from '../../common/mutation';
import { AlertKind, AlertSetting } from './alert.entity';

@InputType({ description: 'Switches an email alert on or off and says when and to whom it goes.' })
export class UpdateAlertSettingInput {
  @Field(() => AlertKind, { description: 'Which alert.' })
  kind!: AlertKind;

  @Field(() => Boolean, { description: 'true: send it; false: do not.' })
  enabled!: boolean;

  @Field(() => Int, {
    nullable: true,
    description: 'VOUCHER_STOCK_LOW only: alert at this many vouchers left or fewer (0–1000000; default 10).',
  })
  threshold?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "One email address to send it to; null or empty: every owner's email.",
  })
  recipient?: string | null;

  @Field(() => ID, { nullable: true, description: 'For admins: the merchant whose alert this is.' })
  merchantId?: string | null;
}

export const UpdateAlertSettingPayload = PayloadType(() => AlertSetting, 'UpdateAlertSetting', {
  field: 'alertSetting',
  description: 'The alert as saved, or why the input was refused.',
});
export type UpdateAlertSettingPayload = InstanceType<typeof UpdateAlertSettingPayload>;
