import { log } from '../../common/log';
import type { DomainModule } from '../../common/module';
import { startSweeper } from '../../common/sweeper';
import { smppOptionsFromConfig, startSmppClient } from './smpp.client';
import { SmppPart } from './smpp.entity';
import { sweepSmppParts } from './smpp.parts';

export { parseSmppUrl, smppOptionsFromConfig, startSmppClient } from './smpp.client';
export type { SmppClient, SmppClientOptions } from './smpp.client';
export { sweepSmppParts } from './smpp.parts';

export const smppModule: DomainModule = {
  name: 'smpp',
  // Parts of concatenated SMS wait here for their siblings; whole SMS and receipts go through the SMS module.
  entities: [SmppPart],
  resolvers: [],
  /**
   * One bind per server process when SMPP_URL is set. Several processes may each bind (SMSCs spread deliver_sm over
   * binds); a redelivered SMS still counts once, because the pipeline keys it by provider and message id, and the
   * parts of a concatenated SMS meet in the database whichever bind brought them. Beside the bind, the sweep that
   * passes on parts whose siblings never came (SMPP_PART_TIMEOUT_SECONDS).
   */
  startWorkers(platform) {
    const options = smppOptionsFromConfig(platform.config);
    if (!options) return { stop: async () => {} };
    const client = startSmppClient(platform, options);
    const partTimeoutMs = platform.config.smppPartTimeoutSeconds * 1000;
    const settings = { partTimeoutMs, redeliveryWindowMs: platform.config.smppRedeliveryWindowSeconds * 1000 };
    const report = { log: (level: 'warn' | 'error', message: string) => log[level]({ module: 'smpp' }, message) };
    const sweep = startSweeper('smpp parts sweep', () => sweepSmppParts(platform, settings, report), {
      // Often enough that a part waits little longer than the timeout.
      intervalMs: Math.min(30_000, Math.max(1_000, partTimeoutMs / 4)),
      quiet: platform.config.mode === 'test',
    });
    return { stop: async () => void (await Promise.all([client.stop(), sweep.stop()])) };
  },
};
