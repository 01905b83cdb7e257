import type { DomainModule } from '../../common/module';
import { ConfirmationCode } from './confirmation.entity';
import { confirmationMailSecret } from './confirmation.service';

export const confirmationModule: DomainModule = {
  name: 'confirmation',
  entities: [ConfirmationCode],
  resolvers: [],
  provides: { mailSecrets: [confirmationMailSecret] },
};

// The public face: what other modules use.
export { ConfirmationCode, ConfirmationStatus } from './confirmation.entity';
export {
  CODE_TTL_MS,
  MAX_ATTEMPTS,
  confirmationMailSecret,
  consumeConfirmation,
  issueConfirmation,
  latestConfirmation,
  maskEmail,
  verifyConfirmation,
} from './confirmation.service';
export type { ConfirmationDeps, NewConfirmation, VerifiedConfirmation } from './confirmation.service';
