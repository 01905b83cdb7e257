/**
 * A declined card in the payer's words. The decline codes the payer pages translate (card.decline.* in
 * web/src/i18n/resources); the aliases map the processor's other names for the same reasons onto them.
 */
export const DECLINE_KEYS = [
  'INSUFFICIENT_FUNDS',
  'EXPIRED_CARD',
  'INCORRECT_CVC',
  'AUTHENTICATION_FAILED',
  'CARD_NOT_SUPPORTED',
  'NOT_PROCESSED',
  'DECLINED',
  'RATE_LIMITED',
] as const;
export type DeclineKey = (typeof DECLINE_KEYS)[number];

const ALIASES: Record<string, DeclineKey> = {
  EXPIRED: 'EXPIRED_CARD',
  DO_NOT_HONOR: 'DECLINED',
  GENERIC_DECLINE: 'DECLINED',
};

/** Which translated reason a decline code is; the generic one for a code without its own. */
export function declineKey(code: string | null | undefined): DeclineKey {
  if (!code) return 'DECLINED';
  return (DECLINE_KEYS as readonly string[]).includes(code) ? (code as DeclineKey) : (ALIASES[code] ?? 'DECLINED');
}

/**
 * What to tell the payer about a decline. In English the server's message comes first (it knows the processor's
 * reason, which may be finer than the code); in another language the code's translated reason does, since the
 * server speaks English only.
 */
export function declineMessage(
  message: string | null | undefined,
  code: string | null | undefined,
  translated: (key: DeclineKey) => string,
  english: boolean,
): string {
  const known = Boolean(code && (DECLINE_KEYS as readonly string[]).concat(Object.keys(ALIASES)).includes(code));
  if (message?.trim() && (english || !known)) return message;
  return translated(declineKey(code));
}
