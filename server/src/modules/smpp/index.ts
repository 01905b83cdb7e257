import type { RouteDeps } from '../../app/modules';
import { smppOptionsFromConfig, startSmppClient } from './smpp.client';

export { parseSmppUrl, smppOptionsFromConfig, startSmppClient } from './smpp.client';
export type { SmppClient, SmppClientOptions } from './smpp.client';

// The link stores nothing of its own: SMS and receipts go through the SMS module.
export const entities = [] as const;
export const resolvers = [] as const;

/**
 * One bind per server process when SMPP_URL is set. Several processes may each bind (SMSCs spread deliver_sm over
 * binds); a redelivered SMS still counts once, because the pipeline keys it by provider and message id.
 */
export function startWorkers(deps: RouteDeps): { stop(): Promise<void> } {
  const options = smppOptionsFromConfig(deps.config);
  if (!options) return { stop: async () => {} };
  const client = startSmppClient(deps, options);
  return { stop: () => client.stop() };
}
