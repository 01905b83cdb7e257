import type { EntityManager } from '@mikro-orm/core';
import nodemailer from 'nodemailer';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { build } from '../../common/orm';
import { DeliveryError, enqueue, outboxHandler, type OutboxHandler } from '../outbox';
import type { OutboxMessage } from '../outbox';
import type { Config } from '../../common/config';
import type { Extensions } from '../../common/module';
import { MailMessage } from './mail-message.entity';

export const MAIL_OUTBOX_KIND = 'mail';

export interface MailInput {
  /** One address, e.g. "dana@example.com". */
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  /**
   * A secret the mail carries (an access code): the text and HTML hold MAIL_SECRET_MASK where it goes, and only this
   * reference is queued; the secret is rendered from where it lives at each send attempt (see MailSecret).
   */
  secret?: { kind: string; id: string } | null;
}

/*
 * Mail that carries a secret (an access code bought by card) is queued with a mask where the secret goes and a
 * reference to it, as SMS replies are (sms.secrets.ts): the outbox payload never holds the secret in clear, a retry
 * after a crash renders it again, and the copy kept outside production shows the mask.
 */

/** What a queued mail holds where its secret goes. */
export const MAIL_SECRET_MASK = '••••••';

/** A module's secrets for mail: `reveal` returns the clear value of the secret with that id, or null if gone. */
export interface MailSecret {
  kind: string;
  reveal(em: EntityManager, config: Config, id: string): Promise<string | null>;
}

declare module '../../common/module' {
  interface Extensions {
    mailSecrets: readonly MailSecret[];
  }
}

/** The mail's text and HTML as the recipient gets them; throws when its secret can no longer be read. */
async function renderSecret(
  em: EntityManager,
  config: Config,
  extensions: Extensions,
  mail: MailInput,
): Promise<{ text: string; html: string | null }> {
  if (!mail.secret) return { text: mail.text, html: mail.html ?? null };
  const { kind, id } = mail.secret;
  const source = (extensions.mailSecrets ?? []).find((candidate) => candidate.kind === kind);
  const value = source ? await source.reveal(em, config, id) : null;
  // Retrying will not bring it back: the message goes straight to DEAD, visible to admins.
  if (value === null) {
    throw new DeliveryError(`the secret of this mail (${kind}:${id}) can no longer be read`, { permanent: true });
  }
  const fill = (body: string) => body.split(MAIL_SECRET_MASK).join(value);
  return { text: fill(mail.text), html: mail.html ? fill(mail.html) : null };
}

/** A single bare address: no display names or lists, so one mail reaches exactly the person meant. */
const ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+\.[^\s@<>,;:"()[\]\\]+$/;

/**
 * Queues an email in the caller's unit of work: it is sent if and only if the change it announces commits.
 * `merchantId` only tags the outbox row for admins.
 */
export function sendMail(em: EntityManager, input: MailInput & { merchantId?: string | null }): OutboxMessage {
  const to = input.to.trim();
  if (to.length > 320 || !ADDRESS.test(to)) {
    throw new UserFacingError(UserErrorCode.INVALID, `"${to.slice(0, 100)}" is not an email address`);
  }
  // Line breaks in a subject are how header injection starts; nodemailer encodes them, but none are meant anyway.
  const subject = input.subject.replace(/\s+/g, ' ').trim();
  if (!subject) throw new UserFacingError(UserErrorCode.REQUIRED, 'an email needs a subject');
  if (subject.length > 300)
    throw new UserFacingError(UserErrorCode.TOO_LONG, 'use a subject of at most 300 characters');
  const secret = input.secret ? { kind: input.secret.kind, id: input.secret.id } : null;
  if (secret && !input.text.includes(MAIL_SECRET_MASK))
    throw new Error('sendMail: the text has no place for the secret');
  const payload: MailInput = { to, subject, text: input.text, html: input.html ?? null, ...(secret ? { secret } : {}) };
  return enqueue(em, { kind: MAIL_OUTBOX_KIND, payload: { ...payload }, merchantId: input.merchantId ?? null });
}

/**
 * Sends through SMTP_URL, and outside production also keeps a copy for the `mailMessages` query. In development
 * without SMTP_URL the mail is only kept, never sent: nobody needs a mail server to try the product. In production
 * without SMTP_URL the attempt fails, so the message shows up as failing (and then DEAD) for admins rather than
 * vanishing.
 */
const deliverMail: OutboxHandler<MailInput> = async (mail, { em, config, message, extensions }) => {
  const body = await renderSecret(em, config, extensions, mail);
  let sent = false;
  let detail = 'kept only: SMTP_URL is not set';
  if (config.smtpUrl) {
    // One connection per mail (no pool): mail is rare and a pooled connection would go stale between mails.
    // The timeouts end a hung server well inside the outbox's attempt timeout.
    const transport = nodemailer.createTransport({
      url: config.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    try {
      const info = await transport.sendMail({
        from: config.mailFrom,
        to: mail.to,
        subject: mail.subject,
        text: body.text,
        html: body.html ?? undefined,
      });
      sent = true;
      detail = info.response;
    } finally {
      transport.close();
    }
  } else if (config.mode === 'production') {
    throw new DeliveryError('SMTP_URL is not set, so mail cannot be sent');
  }
  if (config.mode !== 'production') {
    // Once per outbox message: a retry after a lost confirmation must not show the mail twice.
    const kept = await em.findOne(MailMessage, { outboxMessageId: message.id });
    if (kept) kept.sent = kept.sent || sent;
    else {
      em.persist(
        build(MailMessage, {
          outboxMessageId: message.id,
          to: mail.to,
          from: config.mailFrom,
          subject: mail.subject,
          text: mail.text,
          html: mail.html ?? null,
          sent,
        }),
      );
    }
    await em.flush();
  }
  return { detail };
};

// Mail carries confirmation codes and personal data: the outbox forgets it once sent.
/** Sends mail (the module provides it as an outbox handler). */
export const mailOutboxHandler = outboxHandler(MAIL_OUTBOX_KIND, deliverMail, {
  timeoutMs: 45_000,
  erasePayloadOnDelivery: true,
});
