import type { EntityManager } from '@mikro-orm/core';
import type { Config } from '../../common/config';
import { build } from '../../common/orm';
import { postToUrl } from '../../common/outbound';
import { SIGNATURE_HEADER, signPayload } from '../../common/signature';
import { DeliveryError, enqueue, outboxHandler, type OutboxHandler } from '../outbox';
import type { OutboundSms, SmsChannel } from './sms.channel';
import { registeredChannelFor, servesProvider } from './sms.channels';
import { SmsDirection, SmsMessage, SmsStatus } from './sms.entity';
import { renderReply, secretRef, SMS_SECRET_MASK } from './sms.secrets';

export const SMS_SEND_KIND = 'sms.send';
/** Attempts before a reply is given up (FAILED); with the outbox's backoff that is about an hour of retries. */
export const MAX_SEND_ATTEMPTS = 8;
/** Ten concatenated parts; longer replies are a bug, not a message. */
export const MAX_REPLY_LENGTH = 1530;
export const SIMULATOR_PROVIDER = 'simulator';

/**
 * Records a reply to an inbound SMS, from the short code it was sent to, on the link it came in on, and queues its
 * sending. Adds both rows to the caller's unit of work (no flush): the reply is sent if and only if the change
 * that causes it commits. A reply with a `secret` has SMS_SECRET_MASK in its text where the secret goes (see
 * sms.secrets.ts): only the reference is stored.
 */
export async function sendSmsReply(
  em: EntityManager,
  input: { inboundSmsId: string; text: string; secret?: { kind: string; id: string } },
): Promise<SmsMessage> {
  const inbound = await em.findOne(SmsMessage, { id: input.inboundSmsId, direction: SmsDirection.IN });
  if (!inbound) throw new Error(`sendSmsReply: no inbound SMS ${input.inboundSmsId}`);
  const text = input.text.trim();
  if (!text || text.length > MAX_REPLY_LENGTH) {
    throw new Error(`sendSmsReply: a reply has 1 to ${MAX_REPLY_LENGTH} characters`);
  }
  if (input.secret && !text.includes(SMS_SECRET_MASK))
    throw new Error('sendSmsReply: the text has no place for the secret');
  const reply = build(SmsMessage, {
    direction: SmsDirection.OUT,
    provider: inbound.provider,
    fromNumber: inbound.toNumber,
    toNumber: inbound.fromNumber,
    text,
    secretRef: input.secret ? secretRef(input.secret) : null,
    country: inbound.country,
    operator: inbound.operator,
    status: SmsStatus.QUEUED,
    merchantId: inbound.merchantId,
    paymentId: inbound.paymentId,
    inReplyToId: inbound.id,
  });
  em.persist(reply);
  enqueue(em, { kind: SMS_SEND_KIND, payload: { smsId: reply.id }, merchantId: inbound.merchantId });
  return reply;
}

// --- Built-in channels ------------------------------------------------------------------------------------------

/** The dev simulator's phones: a reply is "delivered" the moment it is sent; the phone view lists it. */
const simulatorChannel: SmsChannel = {
  providers: [SIMULATOR_PROVIDER],
  send: (message) => Promise.resolve({ providerMessageId: `sim-${message.id}`, delivered: true }),
};

/**
 * Replies to SMS that came in over the HTTP webhook: POSTed as JSON `{ id, provider, from, to, text }` to
 * SMS_SEND_URL, signed like the webhook (`X-Tollgate-Signature` under SMS_WEBHOOK_SECRET). A 2xx answer sends; a
 * JSON answer's `messageId` becomes the reply's provider id (for receipts), else Tollgate's own id is used.
 */
function httpChannel(config: Config, url: string): SmsChannel {
  return {
    providers: ['http:'],
    async send(message, options) {
      const body = JSON.stringify({
        id: message.id,
        provider: message.provider,
        from: message.from,
        to: message.to,
        text: message.text,
      });
      // The URL is the operator's own configuration, not a merchant's input: private addresses are fine.
      const response = await postToUrl(
        url,
        body,
        {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signPayload(config.smsWebhookSecret, body),
          'user-agent': 'Tollgate-SMS/1',
        },
        { signal: options?.signal ?? new AbortController().signal, allowPrivate: true },
      );
      if (response.status < 200 || response.status > 299) {
        throw new DeliveryError(`HTTP ${response.status}: ${response.body.trim().slice(0, 200)}`, {
          httpStatus: response.status,
        });
      }
      let providerMessageId = message.id;
      try {
        const answer = JSON.parse(response.body) as { messageId?: unknown };
        if (typeof answer.messageId === 'string' && answer.messageId.trim()) {
          providerMessageId = answer.messageId.trim().slice(0, 100);
        }
      } catch {
        // Not JSON: the sender accepted it without an id of its own.
      }
      return { providerMessageId };
    },
  };
}

/**
 * The channel for a provider: a registered one (SMPP binds, tests) first, then the built-in simulator and HTTP
 * channels. Null when none can send now; `permanent` when none ever will (no SMS_SEND_URL for an 'http:' provider).
 */
export function channelFor(config: Config, provider: string): { channel: SmsChannel | null; permanent: boolean } {
  const registered = registeredChannelFor(provider);
  if (registered) return { channel: registered, permanent: false };
  if (servesProvider(simulatorChannel, provider)) return { channel: simulatorChannel, permanent: false };
  if (provider.startsWith('http:')) {
    return config.smsSendUrl
      ? { channel: httpChannel(config, config.smsSendUrl), permanent: false }
      : { channel: null, permanent: true };
  }
  // An SMPP link may bind later: retry.
  return { channel: null, permanent: false };
}

/**
 * Sends one reply. A reply no longer QUEUED was sent already (an earlier attempt whose outcome was recorded) and is
 * not sent again. Each failure is recorded on the reply; the last one makes it FAILED.
 */
const sendReply: OutboxHandler<{ smsId: string }> = async ({ smsId }, { em, config, signal, message, extensions }) => {
  const sms = await em.findOne(SmsMessage, { id: smsId, direction: SmsDirection.OUT });
  if (!sms) throw new DeliveryError('the reply record is missing', { permanent: true });
  if (sms.status !== SmsStatus.QUEUED) return { detail: `already ${sms.status.toLowerCase()}` };
  const fail = async (error: unknown, permanent: boolean) => {
    const text = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
    const final = permanent || message.attemptCount >= MAX_SEND_ATTEMPTS;
    await em.nativeUpdate(
      SmsMessage,
      { id: sms.id, status: SmsStatus.QUEUED },
      { lastError: text, updatedAt: new Date(), ...(final ? { status: SmsStatus.FAILED } : {}) },
    );
    throw error instanceof DeliveryError ? error : new DeliveryError(text, { permanent });
  };
  const { channel, permanent } = channelFor(config, sms.provider);
  if (!channel) {
    return fail(
      new DeliveryError(
        permanent
          ? `no SMS_SEND_URL is configured to send replies for ${sms.provider}`
          : `no channel is connected for ${sms.provider}`,
        { permanent },
      ),
      permanent,
    );
  }
  let text: string;
  try {
    // Rendered per attempt, from the secret where it lives: nothing in clear is stored for a retry.
    text = await renderReply(em, config, extensions, sms);
  } catch (error) {
    return fail(error, true);
  }
  const outbound: OutboundSms = { id: sms.id, provider: sms.provider, from: sms.fromNumber, to: sms.toNumber, text };
  let result;
  try {
    result = await channel.send(outbound, { signal });
  } catch (error) {
    return fail(error, error instanceof DeliveryError && error.options.permanent === true);
  }
  const now = new Date();
  // Conditional: should a lapsed lease have let a second attempt run, only one outcome is recorded.
  await em.nativeUpdate(
    SmsMessage,
    { id: sms.id, status: SmsStatus.QUEUED },
    {
      status: result.delivered ? SmsStatus.DELIVERED : SmsStatus.SENT,
      providerMessageId: result.providerMessageId,
      sentAt: now,
      deliveredAt: result.delivered ? now : null,
      lastError: null,
      updatedAt: now,
    },
  );
  return { detail: `sent as ${result.providerMessageId}` };
};

/** Sends replies (the module provides it as an outbox handler). */
export const smsSendHandler = outboxHandler(SMS_SEND_KIND, sendReply, {
  maxAttempts: MAX_SEND_ATTEMPTS,
  timeoutMs: 15_000,
});
