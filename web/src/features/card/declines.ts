/**
 * A declined card in the payer's words. The server's message comes first (it knows the processor's reason); these
 * are for a decline code that arrives without one.
 */
const DECLINES: Record<string, string> = {
  INSUFFICIENT_FUNDS: 'Your card was declined: insufficient funds. Try another card.',
  EXPIRED_CARD: 'Your card was declined: it has expired. Try another card.',
  EXPIRED: 'Your card was declined: it has expired. Try another card.',
  INCORRECT_CVC: 'Your card was declined: the security code is wrong. Check it, or try another card.',
  AUTHENTICATION_FAILED:
    'Your bank could not confirm the payment: the code was not right. Nothing was charged; try again or use another card.',
  CARD_NOT_SUPPORTED: 'This card cannot be used here. Try another card.',
  NOT_PROCESSED: 'Your bank never received this payment, so nothing was charged. Try again.',
  DO_NOT_HONOR: 'Your card was declined by your bank. Try another card, or ask your bank why.',
  GENERIC_DECLINE: 'Your card was declined by your bank. Try another card, or ask your bank why.',
  DECLINED: 'Your card was declined by your bank. Try another card, or ask your bank why.',
  RATE_LIMITED: 'Too many attempts with this card or from here. Wait a while before trying again.',
};

/** What to tell the payer about a decline. */
export function declineMessage(message: string | null | undefined, code: string | null | undefined): string {
  if (message?.trim()) return message;
  return (code && DECLINES[code]) ?? DECLINES.DECLINED;
}
