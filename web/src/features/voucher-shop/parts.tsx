import { useState, type FormEvent, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from 'urql';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql } from '../../gql';
import { Field, FormErrors } from '../../app/components/Field';

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

/** The buyer pages' frame: minimal, nothing to get lost in (seed V9). */
export function ShopLayout({ children }: { children: ReactNode }) {
  return (
    <main className="auth">
      <div className="auth__panel payer">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            T
          </span>
          Tollgate
        </div>
        {children}
      </div>
    </main>
  );
}

/** The buyer's own page address: the page token is its secret, so it lives in the URL the buyer keeps. */
export function purchasePath(slug: string, token: string): string {
  return `/p/${slug}/pay/${token}`;
}

/** Back to an open payment, or to a bought voucher, with the payment number and the phone that paid (seed V8). */
export function LookupForm({ paymentNumber: initial = '' }: { paymentNumber?: string }) {
  const navigate = useNavigate();
  const client = useClient();
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
    if (found) void navigate(purchasePath(found.shop.slug, found.token));
    else setState(badPhone ? 'badPhone' : result.error ? 'failed' : 'missing');
  };
  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Find my payment">
      <div className="form__row">
        <Field label="Payment number" hint="The code you sent by SMS.">
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
        <Field label="Your phone number" hint="The one you sent the SMS from, e.g. +359888123456.">
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
      {state === 'missing' && (
        <FormErrors
          messages={[
            'No payment matches this number and phone. A payment can be found once its first SMS has arrived.',
          ]}
        />
      )}
      {state === 'badPhone' && (
        <FormErrors
          messages={['This is not a phone number we can read: write it with the country code, e.g. +359888123456.']}
        />
      )}
      {state === 'failed' && <FormErrors messages={['The lookup failed. Try again in a moment.']} />}
      <div className="form__actions">
        <button type="submit" className="button" disabled={state === 'busy' || !paymentNumber || !phone}>
          Find my payment
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
        Thank you: the seller has your message.
      </p>
    );
  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Message to the seller"
    >
      <FormErrors messages={form.errors.form} />
      <Field label="Message" error={form.fieldError('message')}>
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
      <Field
        label="How to answer you (optional)"
        error={form.fieldError('contact')}
        hint="An email address or a phone number."
      >
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
          Send to the seller
        </button>
      </div>
    </form>
  );
}
