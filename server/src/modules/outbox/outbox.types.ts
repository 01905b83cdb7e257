import { ArgsType, Field, ID } from 'type-graphql';
import { PayloadType } from '../../common/mutation';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';

export const OutboxMessageConnection = ConnectionType(OutboxMessage, 'OutboxMessage');

@ArgsType()
export class OutboxMessagesArgs extends PageArgs {
  @Field(() => OutboxStatus, { nullable: true, description: 'Only messages in this state.' })
  status?: OutboxStatus | null;

  @Field(() => String, { nullable: true, description: 'Only this kind, e.g. "webhook".' })
  kind?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only messages for this merchant.' })
  merchantId?: string | null;
}

export const RetryOutboxMessagePayload = PayloadType(() => OutboxMessage, 'RetryOutboxMessage', {
  field: 'outboxMessage',
  description: 'The message after the retry was accepted or refused.',
  fieldDescription: 'The message, PENDING again when the retry was accepted.',
  userErrorsDescription: 'Why the input was refused; empty when it succeeded.',
});
export type RetryOutboxMessagePayload = InstanceType<typeof RetryOutboxMessagePayload>;
