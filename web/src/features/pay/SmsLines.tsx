import { Link } from 'react-router';
import { graphql, useFragment, type FragmentType } from '../../gql';
import type { SmsLineState } from '../../gql/graphql';
import { Badge, type Tone } from '../../app/components/Badge';
import type { MoneyValue } from '../../app/components/Money';
import { PayerCopyButton, PayerTime, usePayer } from '../../i18n/payer';
import { fromMinor, scaleOf, toMinor } from '../sms/decimal';
import { simulatorLink } from '../simulator/availability';
import { ShortCodeChooser, useShortCodeChoice } from './ShortCodeChooser';

/** What the SMS lines need of a payment: the payer page's query and its paymentSms subscription spread it. */
export const PaymentSmsLinesFields = graphql(`
  fragment PaymentSmsLinesFields on PublicPayment {
    status
    amount {
      amount
      currency
    }
    amountReceived {
      amount
      currency
    }
    sms {
      state
      shortCode
      text
      country
      receivedAt
    }
  }
`);

export interface SmsLine {
  state: SmsLineState;
  shortCode?: string | null;
  text: string;
  country?: string | null;
  receivedAt?: string | null;
}

export interface SmsLinesPayment {
  status: string;
  amount: MoneyValue;
  amountReceived: MoneyValue;
  sms: readonly SmsLine[];
}

// Each state's words (smsState.*) and badge tone; an expected line here is one still to send.
const STATES: Record<SmsLineState, { key: 'TO_SEND' | 'RECEIVED' | 'NOT_COUNTED'; tone: Tone }> = {
  EXPECTED: { key: 'TO_SEND', tone: 'info' },
  RECEIVED: { key: 'RECEIVED', tone: 'good' },
  NOT_COUNTED: { key: 'NOT_COUNTED', tone: 'warn' },
};

/** SMS pay in US dollars: other payments get no SMS instruction (an SMS to them would not count). */
const SMS_CURRENCY = 'USD';

/** The lines worth showing: without a short code a line means "any of the payment's", meaningful only in USD. */
export function visibleSmsLines(payment: SmsLinesPayment): readonly SmsLine[] {
  const usd = payment.amount.currency === SMS_CURRENCY;
  return payment.sms.filter((line) => usd || line.state !== 'EXPECTED' || line.shortCode);
}

function remainingOf(payment: SmsLinesPayment): MoneyValue {
  const scale = Math.max(scaleOf(payment.amount.amount), scaleOf(payment.amountReceived.amount));
  const amount = toMinor(payment.amount.amount, scale);
  const received = toMinor(payment.amountReceived.amount, scale);
  const rest = amount !== null && received !== null ? amount - received : null;
  return { amount: rest === null ? payment.amount.amount : fromMinor(rest, scale), currency: payment.amount.currency };
}

/** A value the payer types into their phone: big, selectable, with a copy button. */
function Copyable({ label, copyLabel, value, big }: { label: string; copyLabel: string; value: string; big: boolean }) {
  return (
    <div className="sms-line__part">
      <span className="sms-line__label">{label}</span>
      <span className="sms-line__value">
        <code className={big ? 'sms-line__big' : undefined}>{value}</code>
        {big && <PayerCopyButton text={value} label={copyLabel} />}
      </span>
    </div>
  );
}

/**
 * The payer's SMS: each one to send (short code and exact text), ticked off as received, or marked not counted, as
 * the paymentSms subscription reports them. Lines that name no short code let the payer pick country and short code.
 */
export function SmsLines({
  payment: paymentRef,
  simulator,
}: {
  payment: FragmentType<typeof PaymentSmsLinesFields>;
  simulator: boolean;
}) {
  const payment = useFragment(PaymentSmsLinesFields, paymentRef);
  const { t } = usePayer();
  const lines = visibleSmsLines(payment);
  const needsChoice = lines.some((line) => line.state === 'EXPECTED' && !line.shortCode);
  const firstCountry = payment.sms.find((line) => line.state === 'RECEIVED' && line.country)?.country ?? null;
  const choice = useShortCodeChoice(remainingOf(payment), firstCountry, needsChoice);
  if (lines.length === 0) return null;
  const toSend = lines.filter((line) => line.state === 'EXPECTED').length;

  return (
    <section className="sms-lines" aria-labelledby="sms-lines-title">
      <h2 id="sms-lines-title">{t('smsLines.title')}</h2>
      {toSend > 0 && (
        <p className="muted small">
          {toSend === 1 ? t('smsLines.sendOne') : t('smsLines.sendCount', { count: toSend })}
          {firstCountry ? '' : t('smsLines.sameRule')}.
        </p>
      )}
      <p className="visually-hidden" aria-live="polite">
        {t('smsLines.progress', {
          received: lines.filter((line) => line.state === 'RECEIVED').length,
          total: lines.length,
        })}
      </p>
      <ol className="sms-lines__list">
        {lines.map((line, index) => {
          const state = STATES[line.state];
          const expected = line.state === 'EXPECTED';
          const shortCode = line.shortCode ?? (expected ? choice.shortCode : null);
          const country = line.country ?? (expected && !line.shortCode ? choice.country : null);
          return (
            <li
              key={`${index}-${line.state}-${line.text}`}
              className={`sms-line sms-line--${line.state.toLowerCase()}`}
            >
              <div className="sms-line__head">
                <Badge tone={state.tone}>{t(`smsState.${state.key}`)}</Badge>
                <span className="muted small">
                  {t('smsLines.position', { number: index + 1, total: lines.length })}
                </span>
                {line.receivedAt && (
                  <span className="muted small">
                    {t('smsLines.arrived')} <PayerTime value={line.receivedAt} />
                  </span>
                )}
              </div>
              {expected && !line.shortCode && <ShortCodeChooser choice={choice} />}
              <div className="sms-line__parts">
                {shortCode ? (
                  <Copyable
                    label={t('common.shortCode')}
                    copyLabel={t('common.copyShortCode')}
                    value={shortCode}
                    big={expected}
                  />
                ) : (
                  <div className="sms-line__part">
                    <span className="sms-line__label">{t('common.shortCode')}</span>
                    <span className="muted">{t('smsLines.chooseCountryAbove')}</span>
                  </div>
                )}
                <Copyable label={t('common.text')} copyLabel={t('common.copyText')} value={line.text} big={expected} />
              </div>
              {line.state === 'NOT_COUNTED' && <p className="sms-line__note">{t('smsLines.notCounted')}</p>}
              {expected && shortCode && (
                <div className="button-row">
                  <a
                    className="button button--primary sms-line__open"
                    href={`sms:${shortCode}?&body=${encodeURIComponent(line.text)}`}
                  >
                    {t('common.openInMessages')}
                  </a>
                  {simulator && (
                    <Link className="button" to={simulatorLink({ to: shortCode, text: line.text, country })}>
                      {t('common.simulate')}
                    </Link>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
