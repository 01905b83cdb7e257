import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import type { PayByCardMutation } from '../../gql/graphql';
import { Field, FormErrors } from '../../app/components/Field';
import type { MoneyValue } from '../../app/components/Money';
import { newIdempotencyKey } from '../../app/idempotency';
import { PayerMoney, usePayer, type PayerWords } from '../../i18n/payer';
import { declineMessage } from './declines';
import { CardTokenError, checkCard, groupCardNumber, parseExpiry, tokeniseCard, type CardField } from './tokenise';

const PayByCardDocument = graphql(`
  mutation PayByCard($pageToken: String!, $cardToken: String!, $email: String, $idempotencyKey: String!) {
    payByCard(pageToken: $pageToken, cardToken: $cardToken, email: $email, idempotencyKey: $idempotencyKey) {
      status
      message
      declineCode
      chargeId
      challenge
      redirectUrl
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const CompleteCardChallengeDocument = graphql(`
  mutation CompleteCardChallenge($pageToken: String!, $chargeId: ID!, $answer: String!) {
    completeCardChallenge(pageToken: $pageToken, chargeId: $chargeId, answer: $answer) {
      status
      message
      declineCode
      chargeId
      challenge
      redirectUrl
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** What payByCard and completeCardChallenge answer (the same type, asked for the same fields). */
type Result = PayByCardMutation['payByCard'];
type FieldName = CardField | 'email' | 'answer';

/** Where the payment by card stands, for the page around the form. */
export type CardOutcome =
  | { kind: 'paid'; brand: string; last4: string; redirectUrl: string | null }
  | { kind: 'unknown'; brand: string; last4: string };

/** One payment attempt's token and key: a retry after a lost answer sends the same pair, so it charges once. */
interface Attempt {
  pageToken: string;
  cardToken: string;
  brand: string;
  last4: string;
  email: string | null;
  idempotencyKey: string;
}

/**
 * The tokeniser's refusal in the payer's language. English keeps the server's words (they may say more); the other
 * languages get the translated reason of the input it names, or of its code.
 */
function tokenErrorWords(error: CardTokenError, t: PayerWords['t'], language: string): string {
  if (error.code === 'NETWORK') return t('common.network');
  if (error.code === 'RATE_LIMITED') return t('card.decline.RATE_LIMITED');
  if (language === 'en') return error.message;
  switch (error.field) {
    case 'number':
      return t('card.check.numberInvalid');
    case 'expiry':
      return /EXPIRED/.test(error.code) ? t('card.check.expired') : t('card.check.expiryFormat');
    case 'cvc':
      return t('card.check.cvc');
    case 'holderName':
      return t('card.check.name');
    default:
      return t('card.unreadable');
  }
}

/** CAPTURED: paid; AUTHORISED: held on the card for a merchant who captures later (the payer is done either way). */
function isSuccess(status: string | null | undefined): boolean {
  return status === 'AUTHORISED' || status === 'CAPTURED';
}

/**
 * The hosted card form: number, expiry, security code, name (and an email where the product is delivered by email).
 * The card goes from the inputs to the tokeniser at submit and is wiped from the inputs the moment a token comes
 * back; only the token reaches GraphQL (`payByCard`, with an idempotency key per attempt). A challenge asks for
 * the bank's code (`completeCardChallenge`); a decline says why and leaves the form for another card.
 */
export function CardForm({
  pageToken,
  amount,
  emailRequired = false,
  submitLabel,
  onOutcome,
}: {
  pageToken: string;
  /** What the card will be charged: the payment's remaining amount. */
  amount: MoneyValue;
  emailRequired?: boolean;
  submitLabel?: string;
  /** Paid, or waiting for the bank's answer: the page shows the payment's live status from then on. */
  onOutcome: (outcome: CardOutcome) => void;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const { t, language } = usePayer();
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const [declined, setDeclined] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A token whose payByCard answer was lost (network): "Try again" resends it with the same key.
  const [lost, setLost] = useState<Attempt | null>(null);
  const [challenge, setChallenge] = useState<{ attempt: Attempt; chargeId: string; prompt: string } | null>(null);
  const [answer, setAnswer] = useState('');
  const [, payByCard] = useMutation(PayByCardDocument);
  const [, completeChallenge] = useMutation(CompleteCardChallengeDocument);

  // The first invalid input gets the focus after a refused submit.
  const [attempts, setAttempts] = useState(0);
  useEffect(() => {
    if (attempts) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [attempts]);

  /** What an answer means for the payer. */
  const settle = (attempt: Attempt, result: Result) => {
    setLost(null);
    if (isSuccess(result.status)) {
      setChallenge(null);
      onOutcome({ kind: 'paid', brand: attempt.brand, last4: attempt.last4, redirectUrl: result.redirectUrl ?? null });
    } else if (result.status === 'REQUIRES_ACTION' && result.chargeId) {
      setAnswer('');
      setChallenge({
        attempt,
        chargeId: result.chargeId,
        // The bank's own words are English (the processor's); other languages get the same request in theirs.
        prompt: (language === 'en' ? (result.challenge ?? result.message) : null) ?? t('card.challengePrompt'),
      });
    } else if (result.status === 'UNKNOWN' || result.status === 'PENDING' || !result.status) {
      setChallenge(null);
      onOutcome({ kind: 'unknown', brand: attempt.brand, last4: attempt.last4 });
    } else {
      setChallenge(null);
      setDeclined(
        declineMessage(result.message, result.declineCode, (key) => t(`card.decline.${key}`), language === 'en'),
      );
    }
  };

  /** userErrors: the email's beside its input, the rest (rate limits, a closed payment) above the form. */
  const refused = (result: Result): boolean => {
    if (result.userErrors.length === 0) return false;
    const next: Partial<Record<FieldName, string>> = {};
    const general: string[] = [];
    for (const error of result.userErrors) {
      const field = error.field?.[error.field.length - 1];
      if (field === 'email' && emailRequired) next.email = language === 'en' ? error.message : t('card.emailMissing');
      else if (field === 'answer' && challenge) next.answer = error.message;
      else general.push(error.message);
    }
    setErrors(next);
    setFormErrors(general);
    setAttempts((count) => count + 1);
    return true;
  };

  const pay = async (attempt: Attempt) => {
    setBusy(true);
    setFormErrors([]);
    try {
      const response = await payByCard({
        pageToken: attempt.pageToken,
        cardToken: attempt.cardToken,
        email: attempt.email,
        idempotencyKey: attempt.idempotencyKey,
      });
      const result = response.data?.payByCard;
      if (!result) {
        // No answer (network, or an error before the attempt's outcome): retrying with the same key is safe.
        if (response.error?.networkError || !response.error?.graphQLErrors.length) setLost(attempt);
        else if (response.error.graphQLErrors.some((error) => error.extensions?.code === 'RATE_LIMITED'))
          setFormErrors([t('card.decline.RATE_LIMITED')]);
        else setFormErrors([response.error.graphQLErrors.map((error) => error.message).join('; ')]);
        return;
      }
      if (!refused(result)) settle(attempt, result);
    } finally {
      setBusy(false);
    }
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDeclined(null);
    setFormErrors([]);
    const form = event.currentTarget;
    const data = new FormData(form);
    const read = (name: string) => (data.get(name) as string | null) ?? '';
    const values = { number: read('cardnumber'), expiry: read('cc-exp'), cvc: read('cvc'), holderName: read('ccname') };
    const found: Partial<Record<FieldName, string>> = checkCard(values, {
      numberMissing: t('card.check.numberMissing'),
      numberDigits: t('card.check.numberDigits'),
      numberInvalid: t('card.check.numberInvalid'),
      expiryMissing: t('card.check.expiryMissing'),
      expiryFormat: t('card.check.expiryFormat'),
      expired: t('card.check.expired'),
      cvc: t('card.check.cvc'),
      name: t('card.check.name'),
    });
    if (emailRequired && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) found.email = t('card.emailMissing');
    setErrors(found);
    if (Object.keys(found).length) {
      setAttempts((count) => count + 1);
      return;
    }
    const expiry = parseExpiry(values.expiry)!;
    setBusy(true);
    let attempt: Attempt;
    try {
      const token = await tokeniseCard(
        {
          number: values.number,
          expMonth: expiry.month,
          expYear: expiry.year,
          cvc: values.cvc.trim(),
          holderName: values.holderName.trim(),
        },
        pageToken,
      );
      attempt = {
        pageToken,
        cardToken: token.token,
        brand: token.brand,
        last4: token.last4,
        email: emailRequired ? email.trim() : null,
        idempotencyKey: newIdempotencyKey(),
      };
    } catch (error) {
      setBusy(false);
      const words = error instanceof CardTokenError ? tokenErrorWords(error, t, language) : t('card.unreadable');
      if (error instanceof CardTokenError && error.field) {
        setErrors({ [error.field]: words });
        setAttempts((count) => count + 1);
      } else setFormErrors([words]);
      return;
    }
    // The card is a token now: its number and code leave the page's inputs at once.
    for (const name of ['cardnumber', 'cvc', 'cc-exp']) {
      const input = form.elements.namedItem(name);
      if (input instanceof HTMLInputElement) input.value = '';
    }
    await pay(attempt);
  };

  const submitChallenge = async (event: FormEvent) => {
    event.preventDefault();
    if (!challenge) return;
    if (!answer.trim()) {
      setErrors({ answer: t('card.challengeMissing') });
      setAttempts((count) => count + 1);
      return;
    }
    setBusy(true);
    setErrors({});
    setFormErrors([]);
    try {
      const response = await completeChallenge({ pageToken, chargeId: challenge.chargeId, answer: answer.trim() });
      const result = response.data?.completeCardChallenge;
      if (!result) {
        setFormErrors([response.error?.message ?? t('card.challengeUnsent')]);
        return;
      }
      if (!refused(result)) settle(challenge.attempt, result);
    } finally {
      setBusy(false);
    }
  };

  if (challenge)
    return (
      <form
        ref={formRef}
        className="form card-form"
        onSubmit={(event) => void submitChallenge(event)}
        noValidate
        aria-label={t('card.challengeForm')}
      >
        <h3>{t('card.challengeForm')}</h3>
        <p role="status">{challenge.prompt}</p>
        <p className="muted small">
          {challenge.attempt.brand} •••• {challenge.attempt.last4}, <PayerMoney money={amount} />
        </p>
        <FormErrors messages={formErrors} />
        <Field label={t('card.challengeCode')} error={errors.answer}>
          {(props) => (
            <input
              {...props}
              name="challenge-answer"
              autoComplete="one-time-code"
              inputMode="numeric"
              maxLength={32}
              value={answer}
              onChange={(event) => setAnswer(event.target.value)}
            />
          )}
        </Field>
        <div className="form__actions">
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => {
              setChallenge(null);
              setDeclined(t('card.notConfirmed'));
            }}
          >
            {t('card.anotherCard')}
          </button>
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? t('card.confirming') : t('card.confirm')}
          </button>
        </div>
      </form>
    );

  return (
    <form
      ref={formRef}
      className="form card-form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={t('card.form')}
      autoComplete="on"
    >
      {declined && (
        <div className="notice notice--warn" role="alert" data-testid="card-declined">
          <p>{declined}</p>
        </div>
      )}
      <FormErrors messages={formErrors} />
      {lost && (
        <div className="notice notice--warn" role="alert">
          <p>{t('card.lost', { card: `${lost.brand} •••• ${lost.last4}` })}</p>
          <button type="button" className="button button--primary" disabled={busy} onClick={() => void pay(lost)}>
            {t('common.tryAgain')}
          </button>
        </div>
      )}
      {emailRequired && (
        <Field label={t('card.email')} error={errors.email} hint={t('card.emailHint')}>
          {(props) => (
            <input
              {...props}
              name="email"
              type="email"
              autoComplete="email"
              inputMode="email"
              maxLength={254}
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          )}
        </Field>
      )}
      <Field label={t('card.number')} error={errors.number}>
        {(props) => (
          <input
            {...props}
            name="cardnumber"
            autoComplete="cc-number"
            inputMode="numeric"
            maxLength={23}
            placeholder="1234 5678 9012 3456"
            onInput={(event) => {
              const input = event.currentTarget;
              input.value = groupCardNumber(input.value);
            }}
          />
        )}
      </Field>
      <div className="form__row">
        <Field label={t('card.expiry')} error={errors.expiry}>
          {(props) => (
            <input
              {...props}
              name="cc-exp"
              autoComplete="cc-exp"
              inputMode="numeric"
              maxLength={7}
              placeholder="MM/YY"
            />
          )}
        </Field>
        <Field label={t('card.cvc')} error={errors.cvc}>
          {(props) => (
            <input {...props} name="cvc" autoComplete="cc-csc" inputMode="numeric" maxLength={4} placeholder="123" />
          )}
        </Field>
      </div>
      <Field label={t('card.name')} error={errors.holderName}>
        {(props) => <input {...props} name="ccname" autoComplete="cc-name" maxLength={100} />}
      </Field>
      <div className="form__actions">
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? (
            t('card.paying')
          ) : (
            <>
              {submitLabel ?? t('card.pay')} <PayerMoney money={amount} />
            </>
          )}
        </button>
      </div>
      <p className="muted small">{t('card.secure')}</p>
    </form>
  );
}
