import { MailMessage } from './mail-message.entity';
import { MailResolver } from './mail.resolver';
// Registers the "mail" outbox handler.
import './mail.service';

export const entities = [MailMessage];
export const resolvers = [MailResolver] as const;
