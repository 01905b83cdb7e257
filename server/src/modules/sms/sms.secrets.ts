import type { EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import type { Extensions } from '../../common/module';
import type { SmsMessage } from './sms.entity';

/*
 * Replies that carry a secret (an access code) are stored with a mask where the secret goes and a reference to it
 * (`secretRef`, "<kind>:<id>"); the text is rendered only when the reply is sent, from the secret where it lives
 * (sealed). So `sms_message` never holds the code in clear, the dashboard shows the mask, and a retry after a crash
 * renders it again.
 */

/** What a stored reply holds where its secret goes; what the dashboard shows. */
export const SMS_SECRET_MASK = '••••••';

/** A product's secrets for replies: `reveal` returns the clear value of the secret with that id, or null if gone. */
export interface SmsReplySecret {
  kind: string;
  reveal(em: EntityManager, config: Config, id: string): Promise<string | null>;
}

declare module '../../common/module' {
  interface Extensions {
    smsReplySecrets: readonly SmsReplySecret[];
  }
}

/** The reference a reply stores for a secret. */
export function secretRef(secret: { kind: string; id: string }): string {
  return `${secret.kind}:${secret.id}`;
}

/** A reply's text as the payer gets it; throws when its secret can no longer be read (retrying will not help). */
export async function renderReply(
  em: EntityManager,
  config: Config,
  extensions: Extensions,
  sms: Pick<SmsMessage, 'text' | 'secretRef'>,
): Promise<string> {
  if (!sms.secretRef) return sms.text;
  const split = sms.secretRef.indexOf(':');
  const kind = sms.secretRef.slice(0, split);
  const source = (extensions.smsReplySecrets ?? []).find((candidate) => candidate.kind === kind);
  const value = source ? await source.reveal(em, config, sms.secretRef.slice(split + 1)) : null;
  if (value === null) throw new Error(`the secret of this reply (${sms.secretRef}) can no longer be read`);
  return sms.text.split(SMS_SECRET_MASK).join(value);
}
