import { ArgsType, Field, ID } from 'type-graphql';
import { RangedPageArgs } from '../../common/date-range';
import { ConnectionType } from '../../common/pagination';
import { AuditEvent } from './audit-event.entity';

export const AuditEventConnection = ConnectionType(AuditEvent, 'AuditEvent');

@ArgsType()
export class AuditEventsArgs extends RangedPageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this merchant (admins and partners).' })
  merchantId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this action, e.g. "apiKey.create".' })
  action?: string | null;
}
