import { useEffect, useState } from 'react';
import { graphql, useFragment, type FragmentType } from '../../gql';
import { usePolling } from '../../app/polling';
import { isPositive } from '../pay/CreditApplied';
import { PayerMoney, PayerStatusBadge, usePayer } from '../../i18n/payer';
import { CardForm, type CardOutcome } from './CardForm';
import { declineMessage } from './declines';

/** What the card panel needs of a public payment: the payer page and the shop's purchase page spread it. */
export const CardPanelFields = graphql(`
  fragment CardPanelFields on PublicPayment {
    status
    cardAccepted
    successUrl
    cancelUrl
    amount {
      amount
      currency
    }
    amountReceived {
      amount
      currency
    }
    remaining {
      amount
      currency
    }
    cardCharge {
      id
      status
      brand
      last4
      message
      declineCode
    }
  }
`);

/** How long the paid view shows before the payer goes back to the merchant's site. */
const RETURN_AFTER_MS = 3000;

/** Only http(s) addresses are followed: a success URL is the merchant's, but a page never runs a javascript: URL. */
function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, window.location.origin);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Back to the merchant's site after a short look at the paid view; a link for those who do not want to wait. */
function ReturnToMerchant({ url, merchantName }: { url: string; merchantName?: string }) {
  const { t } = usePayer();
  useEffect(() => {
    const timer = window.setTimeout(() => window.location.assign(url), RETURN_AFTER_MS);
    return () => window.clearTimeout(timer);
  }, [url]);
  return (
    <p>
      {merchantName ? t('card.returning', { merchant: merchantName }) : t('card.returningShop')}{' '}
      <a href={url} className="button button--small" data-testid="return-to-merchant">
        {t('card.returnNow')}
      </a>
    </p>
  );
}

/**
 * Paying by card on a public page: the form for what is left to pay ("the remaining 2.55 by card" after an SMS),
 * the bank's challenge, "we are confirming with your bank" while the processor has not answered (the payment read
 * again until it has), and the paid view, returning to the merchant's success URL when there is one.
 */
export function CardPanel({
  pageToken,
  payment: paymentRef,
  merchantName,
  emailRequired = false,
  refresh,
}: {
  pageToken: string;
  payment: FragmentType<typeof CardPanelFields>;
  merchantName?: string;
  emailRequired?: boolean;
  /** Reads the payment again (network-only): after an answer, and while the bank is being asked. */
  refresh: () => void;
}) {
  const payment = useFragment(CardPanelFields, paymentRef);
  const { t, language } = usePayer();
  const [outcome, setOutcome] = useState<CardOutcome | null>(null);
  const charge = payment.cardCharge;
  const takingMoney = payment.status === 'OPEN' || payment.status === 'PARTIALLY_PAID';
  // The processor has not answered the latest attempt (a timeout): the reconciliation job will find out.
  const bankPending =
    takingMoney &&
    (charge?.status === 'UNKNOWN' || charge?.status === 'PENDING' || (outcome?.kind === 'unknown' && !charge));
  usePolling(refresh, 2000, bankPending);
  // Authorised for a merchant who captures later: the payer is done, the payment stays open until the capture.
  const authorised = takingMoney && charge?.status === 'AUTHORISED';
  const paid = payment.status === 'PAID' || outcome?.kind === 'paid' || authorised;
  const partly = isPositive(payment.amountReceived.amount);
  const returnUrl = safeUrl((outcome?.kind === 'paid' ? outcome.redirectUrl : null) ?? payment.successUrl);
  const brand = outcome?.brand ?? charge?.brand;
  const last4 = outcome?.last4 ?? charge?.last4;

  if (paid && (payment.cardAccepted || charge || outcome)) {
    const byCard = Boolean(outcome?.kind === 'paid' || (charge && /CAPTURED|AUTHORISED/.test(charge.status)));
    return (
      <section className="notice notice--good" aria-labelledby="card-paid-title" data-testid="card-paid">
        <h2 id="card-paid-title">{payment.status === 'PAID' ? t('card.paidTitle') : t('card.approvedTitle')}</h2>
        {byCard && brand && <p>{t('card.paidBy', { card: `${brand} •••• ${last4}` })}</p>}
        {returnUrl && <ReturnToMerchant url={returnUrl} merchantName={merchantName} />}
      </section>
    );
  }

  if (!takingMoney || !payment.cardAccepted) return null;

  if (bankPending)
    return (
      <section className="notice card-waiting" aria-labelledby="card-waiting-title" data-testid="card-unknown">
        <h2 id="card-waiting-title">{t('card.waitingTitle')}</h2>
        <p>
          {brand ? t('card.waiting', { card: last4 ? `${brand} •••• ${last4}` : brand }) : t('card.waitingAnyCard')}
        </p>
        <p aria-live="polite">
          {t('card.paymentStatus')} <PayerStatusBadge status={payment.status} />
        </p>
      </section>
    );

  return (
    <section className="card-pay" aria-labelledby="card-pay-title">
      <h2 id="card-pay-title">{partly ? <PayRemaining money={payment.remaining} /> : t('card.form')}</h2>
      {outcome?.kind === 'unknown' && charge?.status === 'DECLINED' && (
        <p className="notice notice--warn" role="alert" data-testid="card-declined">
          {declineMessage(charge.message, charge.declineCode, (key) => t(`card.decline.${key}`), language === 'en')}
        </p>
      )}
      <CardForm
        pageToken={pageToken}
        amount={payment.remaining}
        emailRequired={emailRequired}
        onOutcome={(next) => {
          setOutcome(next);
          refresh();
        }}
      />
    </section>
  );
}

/** "Pay the remaining 2.55 USD by card", the amount in the page's way of writing money wherever the language puts it. */
function PayRemaining({ money }: { money: { amount: string; currency: string } }) {
  const { t } = usePayer();
  const [before, after = ''] = t('card.payRemaining', { amount: '\u0000' }).split('\u0000');
  return (
    <>
      {before}
      <PayerMoney money={money} />
      {after}
    </>
  );
}
