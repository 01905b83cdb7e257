import { ArgsType, Field } from 'type-graphql';
import { ConnectionType, PageArgs } from '../../common/pagination';
import { MailMessage } from './mail-message.entity';

export const MailMessageConnection = ConnectionType(MailMessage, 'MailMessage');

@ArgsType()
export class MailMessagesArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only mail to this address.' })
  to?: string | null;
}
