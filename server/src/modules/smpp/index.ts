import type { DomainModule } from '../../common/module';
import { smppOptionsFromConfig, startSmppClient } from './smpp.client';

export { parseSmppUrl, smppOptionsFromConfig, startSmppClient } from './smpp.client';
export type { SmppClient, SmppClientOptions } from './smpp.client';

export const smppModule: DomainModule = {
  name: 'smpp',
  // The link stores nothing of its own: SMS and receipts go through the SMS module.
  entities: [],
  resolvers: [],
  /**
   * One bind per server process when SMPP_URL is set. Several processes may each bind (SMSCs spread deliver_sm over
   * binds); a redelivered SMS still counts once, because the pipeline keys it by provider and message id.
   */
  startWorkers(platform) {
    const options = smppOptionsFromConfig(platform.config);
    if (!options) return { stop: async () => {} };
    const client = startSmppClient(platform, options);
    return { stop: () => client.stop() };
  },
};
