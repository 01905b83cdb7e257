import type { EntityManager } from '@mikro-orm/core';
import nodemailer from 'nodemailer';
import { UserErrorCode, UserFacingError } from '../../common/errors';
import { build } from '../../common/orm';
import { DeliveryError, enqueue, outboxHandler, type OutboxHandler } from '../outbox';
import type { OutboxMessage } from '../outbox';
import { MailMessage } from './mail-message.entity';

export const MAIL_OUTBOX_KIND = 'mail';

export interface MailInput {
  /** One address, e.g. "dana@example.com". */
  to: string;
  subject: string;
  text: string;
  html?: string | null;
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
  const payload: MailInput = { to, subject, text: input.text, html: input.html ?? null };
  return enqueue(em, { kind: MAIL_OUTBOX_KIND, payload: { ...payload }, merchantId: input.merchantId ?? null });
}

/**
 * Sends through SMTP_URL, and outside production also keeps a copy for the `mailMessages` query. In development
 * without SMTP_URL the mail is only kept, never sent: nobody needs a mail server to try the product. In production
 * without SMTP_URL the attempt fails, so the message shows up as failing (and then DEAD) for admins rather than
 * vanishing.
 */
const deliverMail: OutboxHandler<MailInput> = async (mail, { em, config, message }) => {
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
        text: mail.text,
        html: mail.html ?? undefined,
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
