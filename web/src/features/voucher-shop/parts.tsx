import { useState, type FormEvent, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from 'urql';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import { Field, FormErrors } from '../../app/components/Field';
import { PayerFrame, usePayer, type PayerWords } from '../../i18n/payer';

const VoucherPaymentLookupDocument = graphql(`
  query VoucherPaymentLookup($paymentNumber: String!, $phone: String!) {
    voucherPaymentLookup(paymentNumber: $paymentNumber, phone: $phone) {
      token
      shop {
        slug
      }
    }
  }
`);

const SendVoucherFeedbackDocument = graphql(`
  mutation SendVoucherFeedback($input: SendVoucherFeedbackInput!) {
    sendVoucherFeedback(input: $input) {
      sent
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** The buyer pages' frame: minimal, nothing to get lost in (seed V9), in the payer's language. */
export function ShopLayout({
  documentTitle,
  children,
}: {
  documentTitle?: (words: PayerWords) => string;
  children: ReactNode;
}) {
  return <PayerFrame documentTitle={documentTitle}>{children}</PayerFrame>;
}

/** The buyer's own page address: the page token is its secret, so it lives in the URL the buyer keeps. */
export function purchasePath(slug: string, token: string): string {
  return `/p/${slug}/pay/${token}`;
}

/** Back to an open payment, or to a bought voucher, with the payment number and the phone that paid (seed V8). */
export function LookupForm({ paymentNumber: initial = '' }: { paymentNumber?: string }) {
  const navigate = useNavigate();
  const client = useClient();
  const { t } = usePayer();
  const [paymentNumber, setPaymentNumber] = useState(initial);
  const [phone, setPhone] = useState('');
  const [state, setState] = useState<'idle' | 'busy' | 'missing' | 'failed' | 'badPhone'>('idle');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setState('busy');
    const result = await client
      .query(VoucherPaymentLookupDocument, { paymentNumber, phone }, { requestPolicy: 'network-only' })
      .toPromise();
    const found = result.data?.voucherPaymentLookup;
    const badPhone = result.error?.graphQLErrors.some((error) => error.extensions?.code === 'BAD_USER_INPUT');
    if (found) void navigate(`${purchasePath(found.shop.slug, found.token)}${window.location.search}`);
    else setState(badPhone ? 'badPhone' : result.error ? 'failed' : 'missing');
  };
  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-label={t('lookup.form')}>
      <div className="form__row">
        <Field label={t('lookup.number')} hint={t('lookup.numberHint')}>
          {(props) => (
            <input
              {...props}
              name="paymentNumber"
              autoCapitalize="characters"
              value={paymentNumber}
              onChange={(event) => setPaymentNumber(event.target.value)}
            />
          )}
        </Field>
        <Field label={t('lookup.phone')} hint={t('lookup.phoneHint')}>
          {(props) => (
            <input
              {...props}
              name="phone"
              type="tel"
              inputMode="tel"
              value={phone}
              onChange={(event) => setPhone(event.target.value)}
            />
          )}
        </Field>
      </div>
      {state === 'missing' && <FormErrors messages={[t('lookup.missing')]} />}
      {state === 'badPhone' && <FormErrors messages={[t('lookup.badPhone')]} />}
      {state === 'failed' && <FormErrors messages={[t('lookup.failed')]} />}
      <div className="form__actions">
        <button type="submit" className="button" disabled={state === 'busy' || !paymentNumber || !phone}>
          {t('lookup.submit')}
        </button>
      </div>
    </form>
  );
}

/** A message to the seller (seed V9). */
export function FeedbackForm({ slug, paymentNumber }: { slug: string; paymentNumber?: string }) {
  const [message, setMessage] = useState('');
  const [contact, setContact] = useState('');
  const [sent, setSent] = useState(false);
  const { t } = usePayer();
  const { attach, ...form } = useFormMutation(SendVoucherFeedbackDocument, (data) => data.sendVoucherFeedback, [
    'message',
    'contact',
  ]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const response = await form.submit({
      input: { slug, message, contact: contact || null, paymentNumber: paymentNumber ?? null },
    });
    if (response?.sent) {
      setSent(true);
      setMessage('');
      setContact('');
    }
  };
  if (sent)
    return (
      <p className="notice notice--good" role="status">
        {t('feedback.sent')}
      </p>
    );
  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={t('feedback.form')}
    >
      <FormErrors messages={form.errors.form} />
      <Field label={t('feedback.message')} error={form.fieldError('message')}>
        {(props) => (
          <textarea
            {...props}
            name="message"
            rows={3}
            maxLength={2000}
            value={message}
            onChange={(event) => setMessage(event.target.value)}
          />
        )}
      </Field>
      <Field label={t('feedback.contact')} error={form.fieldError('contact')} hint={t('feedback.contactHint')}>
        {(props) => (
          <input
            {...props}
            name="contact"
            maxLength={200}
            value={contact}
            onChange={(event) => setContact(event.target.value)}
          />
        )}
      </Field>
      <div className="form__actions">
        <button type="submit" className="button" disabled={form.fetching || !message.trim()}>
          {t('feedback.submit')}
        </button>
      </div>
    </form>
  );
}
