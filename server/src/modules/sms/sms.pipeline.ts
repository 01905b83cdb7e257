import type { MikroORM } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import type { PubSubLike } from '../../common/context';
import type { InboundSms } from './sms.channel';

export interface SmsPipelineDeps {
  orm: MikroORM;
  pubsub: PubSubLike;
  config: Config;
}

/**
 * The one way an inbound SMS enters Tollgate. Stores it first (unique per provider + messageId), then matches,
 * counts and publishes. Resolves once the SMS is durably stored, so a channel may acknowledge it.
 */
export async function receiveInboundSms(
  deps: SmsPipelineDeps,
  sms: InboundSms,
): Promise<{ smsId: string; duplicate: boolean }> {
  void deps;
  void sms;
  throw new Error('receiveInboundSms: not implemented yet');
}
