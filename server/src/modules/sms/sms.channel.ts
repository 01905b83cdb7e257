/**
 * The seam between the SMS pipeline and the links SMS travel on (HTTP aggregator, SMPP, the dev simulator).
 * Every inbound SMS, however it arrives, is handed to the pipeline as an InboundSms; replies leave through the
 * channel the SMS came in on.
 */

/** An SMS from a payer's phone to one of our short codes, as a channel received it. */
export interface InboundSms {
  /** Which link delivered it: 'http:<aggregator>', 'smpp:<smsc>', 'simulator'. Message ids are unique per provider. */
  provider: string;
  /** The provider's id of this message; the same (provider, messageId) twice counts once. */
  messageId: string;
  /**
   * Set when the link derived `messageId` from the content because the provider gave none (SMPP): the same id then
   * counts once only within this many milliseconds of its first copy, the time an SMSC takes to deliver again; later
   * it is a new SMS with the same text (a payer buying twice). Unset: the same id counts once forever.
   */
  redeliveryWindowMs?: number | null;
  /**
   * The payer's phone number: international ("+359888123456", or digits alone), or national in `country`
   * ("0888123456"); stored in E.164 form. Anything else is refused, unless `senderUnreadable` says to keep it.
   */
  from: string;
  /**
   * The link could not read `from` as a phone number (an SMPP address in an unknown form) and the operator billed
   * the SMS anyway: it is stored with `from` as given and goes to suspense (reason UNREADABLE_PHONE), not refused.
   */
  senderUnreadable?: boolean;
  /** The short code it was sent to. */
  to: string;
  text: string;
  /** ISO 3166 alpha-2 country of the payer's operator. */
  country: string;
  operator?: string | null;
  receivedAt?: Date;
}

/** A reply to send back to a payer, on the channel their SMS came in on. */
export interface OutboundSms {
  /** Tollgate's id of the outbound message (idempotency key towards the channel). */
  id: string;
  provider: string;
  /** The short code the reply comes from. */
  from: string;
  /** The payer's phone number. */
  to: string;
  text: string;
}

/** What a channel reports for a reply it took. */
export interface SmsSendResult {
  /** The provider's id of the reply; delivery receipts name it (see markSmsDelivery). */
  providerMessageId: string;
  /** True when the channel knows the reply reached the phone already (the simulator); otherwise a receipt says so. */
  delivered?: boolean;
}

/** A link that can send replies. `send` resolves with the provider's message id, or throws to be retried. */
export interface SmsChannel {
  /** Provider names this channel sends for: an exact name or a prefix ending in ':' (e.g. 'smpp:'). */
  readonly providers: readonly string[];
  /** `options.signal` is aborted when the outbox gives up on this attempt; a channel may ignore it. */
  send(message: OutboundSms, options?: { signal?: AbortSignal }): Promise<SmsSendResult>;
}
