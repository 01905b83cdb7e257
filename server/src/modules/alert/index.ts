import type { DomainModule } from '../../common/module';
import { AlertNotice, AlertSetting } from './alert.entity';
import { AlertResolver } from './alert.resolver';
import { alertOutboxHandler } from './alert.service';

export const alertModule: DomainModule = {
  name: 'alert',
  entities: [AlertSetting, AlertNotice],
  resolvers: [AlertResolver],
  provides: { outboxHandlers: [alertOutboxHandler] },
};

// The public face: what other modules use.
export { AlertKind } from './alert.entity';
