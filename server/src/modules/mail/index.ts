import type { DomainModule } from '../../common/module';
import { MailMessage } from './mail-message.entity';
import { MailResolver } from './mail.resolver';
import { mailOutboxHandler } from './mail.service';

export const mailModule: DomainModule = {
  name: 'mail',
  entities: [MailMessage],
  resolvers: [MailResolver],
  provides: { outboxHandlers: [mailOutboxHandler] },
};

// The public face: what other modules use.
export { MAIL_SECRET_MASK, sendMail } from './mail.service';
export type { MailSecret } from './mail.service';
