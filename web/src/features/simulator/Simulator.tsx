import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { useFormMutation } from '../../app/useFormMutation';
import { graphql, useFragment, type FragmentType } from '../../gql';
import { Field, FormErrors } from '../../app/components/Field';
import { ErrorState } from '../../app/components/States';
import { Time } from '../../app/components/Time';
import { usePolling } from '../../app/polling';
import { SmsReason, SmsStatusBadge } from '../sms/status';
import { isSimulatorOff } from './availability';

export const SimulatorSmsFields = graphql(`
  fragment SimulatorSmsFields on SimulatorSms {
    id
    direction
    from
    to
    text
    status
    flagReason
    createdAt
  }
`);

const SimulatorCountriesDocument = graphql(`
  query SimulatorCountries {
    countries {
      code
      name
      currency
    }
  }
`);

const SimulatorTariffsDocument = graphql(`
  query SimulatorTariffs($country: String!) {
    tariffs(country: $country) {
      id
      shortCode
      operator {
        id
        name
      }
      price {
        amount
        currency
      }
    }
  }
`);

const SimulatorInboxDocument = graphql(`
  query SimulatorInbox($phone: String!) {
    simulatorOutbox(phone: $phone, includeSent: true) {
      id
      ...SimulatorSmsFields
    }
  }
`);

const SimulateInboundSmsDocument = graphql(`
  mutation SimulateInboundSms($input: SimulateInboundSmsInput!) {
    simulateInboundSms(input: $input) {
      duplicate
      sms {
        id
        ...SimulatorSmsFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type SimulatorSmsRef = FragmentType<typeof SimulatorSmsFields>;

const OTHER = '__other';
const PHONE_KEY = 'tollgate.simulator.phone';
/** The inbox shows replies as the outbox sends them: a few seconds at most. */
const INBOX_REFRESH_MS = 3000;

/** A fresh Bulgarian-looking mobile number, so each simulator session starts as its own payer. */
function randomPhone(): string {
  const digits = Array.from(crypto.getRandomValues(new Uint8Array(7)), (byte) => byte % 10).join('');
  return `+35988${digits}`;
}

function initialPhone(fromUrl: string | null): string {
  if (fromUrl) return fromUrl;
  try {
    const remembered = window.sessionStorage.getItem(PHONE_KEY);
    if (remembered) return remembered;
  } catch {
    // Storage can be off (private windows); a new number per visit is fine then.
  }
  return randomPhone();
}

/** The phone number as the server stores it: digits after a plus, no spaces; null while it cannot be one. */
function phoneOrNull(value: string): string | null {
  const compact = value.replace(/[\s().-]/g, '');
  const normalised = compact.startsWith('+') ? compact : `+${compact}`;
  return /^\+\d{6,15}$/.test(normalised) ? normalised : null;
}

/** `value`, once it has stopped changing for `ms`: typing a number does not query the inbox per keystroke. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function Report({ sms: ref, duplicate }: { sms: SimulatorSmsRef; duplicate: boolean }) {
  const sms = useFragment(SimulatorSmsFields, ref);
  return (
    <div className="phone__report" role="status">
      <p>
        {duplicate ? 'Already delivered (same message id): ' : `Sent to ${sms.to}: `}
        <SmsStatusBadge status={sms.status} />
      </p>
      <SmsReason status={sms.status} flagReason={sms.flagReason} />
    </div>
  );
}

function Bubble({ sms: ref }: { sms: SimulatorSmsRef }) {
  const sms = useFragment(SimulatorSmsFields, ref);
  const sent = sms.direction === 'IN';
  return (
    <li className={sent ? 'bubble bubble--sent' : 'bubble bubble--received'}>
      <span className="bubble__meta">
        {sent ? `You → ${sms.to}` : `From ${sms.from}`} · <Time value={sms.createdAt} />
      </span>
      <span className="bubble__text">{sms.text}</span>
      <span className="bubble__status">
        <SmsStatusBadge status={sms.status} />
        {sent && <SmsReason status={sms.status} flagReason={sms.flagReason} />}
      </span>
    </li>
  );
}

/**
 * The development SMS simulator: a phone that sends an SMS to a short code (through the same pipeline as a real
 * one) and shows what came back. Filled in from the URL (`phone`, `country`, `to`, `text`), e.g. by the payer page.
 */
export function Simulator() {
  const [params] = useSearchParams();
  const [phone, setPhone] = useState(() => initialPhone(params.get('phone')));
  const [country, setCountry] = useState(() => params.get('country')?.toUpperCase() ?? 'BG');
  const [operator, setOperator] = useState('');
  // The short code: one of the country's (choice), or OTHER with a typed one (custom). A short code from the URL that
  // the country has no tariff for becomes a typed one: it is sent as it is, and flagged NO_TARIFF.
  const [choice, setChoice] = useState(() => params.get('to') ?? '');
  const [custom, setCustom] = useState(() => params.get('to') ?? '');
  const [text, setText] = useState(() => params.get('text') ?? '');
  const [last, setLast] = useState<{ sms: SimulatorSmsRef; duplicate: boolean } | null>(null);

  const [countries] = useQuery({ query: SimulatorCountriesDocument });
  const [tariffs] = useQuery({ query: SimulatorTariffsDocument, variables: { country }, pause: !country });
  const rows = useMemo(() => (country ? (tariffs.data?.tariffs ?? []) : []), [country, tariffs.data]);
  const shortCodes = useMemo(() => {
    const prices = new Map<string, string[]>();
    for (const row of rows) {
      const label = `${row.price.amount} ${row.price.currency}`;
      const list = prices.get(row.shortCode) ?? [];
      if (!list.includes(label)) list.push(label);
      prices.set(row.shortCode, list);
    }
    return [...prices].map(([code, labels]) => ({ code, label: `${code} · ${labels.join(' or ')}` }));
  }, [rows]);
  const operators = [...new Set(rows.flatMap((row) => (row.operator ? [row.operator.name] : [])))];
  const known = shortCodes.some((option) => option.code === choice);
  const selected =
    choice === OTHER || (choice && !known && tariffs.data) ? OTHER : known ? choice : (shortCodes[0]?.code ?? '');
  const to = selected === OTHER ? custom : selected;

  const settledPhone = useSettled(phoneOrNull(phone), 400);
  const [inbox, refetchInbox] = useQuery({
    query: SimulatorInboxDocument,
    variables: { phone: settledPhone ?? '' },
    pause: !settledPhone,
    requestPolicy: 'cache-and-network',
  });
  const refreshInbox = useCallback(() => refetchInbox({ requestPolicy: 'network-only' }), [refetchInbox]);
  const { attach, ...form } = useFormMutation(SimulateInboundSmsDocument, (data) => data.simulateInboundSms, [
    'from',
    'to',
    'text',
    'country',
    'operator',
  ]);
  const off = isSimulatorOff(inbox.error) || isSimulatorOff(form.requestError);
  usePolling(refreshInbox, INBOX_REFRESH_MS, Boolean(settledPhone) && !off);

  const thread = useRef<HTMLOListElement>(null);
  const messages = inbox.data?.simulatorOutbox ?? [];
  const newest = messages[messages.length - 1]?.id;
  useEffect(() => {
    // Like a phone: the newest message in view at the bottom.
    if (thread.current) thread.current.scrollTop = thread.current.scrollHeight;
  }, [newest]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const payload = await form.submit({
      input: { from: phone.trim(), to: to.trim(), text, country, operator: operator.trim() || null },
    });
    if (payload?.sms) {
      setLast({ sms: payload.sms, duplicate: payload.duplicate });
      try {
        window.sessionStorage.setItem(PHONE_KEY, phone.trim());
      } catch {
        // See initialPhone.
      }
      refreshInbox();
    }
  };

  if (off)
    return (
      <div className="notice notice--warn simulator-off" role="alert">
        <strong>The SMS simulator is off on this server.</strong> It runs in development and test only; in production,
        SMS arrive from real phones through the operators.
      </div>
    );

  return (
    <div className="simulator">
      <section className="phone" aria-label="Simulated phone">
        <div className="phone__bar">
          <span>Simulated phone</span>
          <span className="phone__number">{phoneOrNull(phone) ?? 'no number'}</span>
        </div>
        <form
          ref={attach}
          className="form phone__form"
          onSubmit={(event) => void submit(event)}
          noValidate
          aria-label="Send SMS"
        >
          <FormErrors messages={form.errors.form} />
          <Field label="Phone number" error={form.fieldError('from')} hint="International form, e.g. +359888123456">
            {(props) => (
              <input
                {...props}
                name="phone"
                type="tel"
                autoComplete="off"
                value={phone}
                onChange={(event) => setPhone(event.target.value)}
              />
            )}
          </Field>
          <div className="form__row form__row--tight">
            <Field label="Country" error={form.fieldError('country')}>
              {(props) => (
                <select
                  {...props}
                  name="country"
                  value={country}
                  onChange={(event) => {
                    setCountry(event.target.value);
                    setChoice('');
                    setOperator('');
                  }}
                >
                  {!countries.data?.countries.some((entry) => entry.code === country) && (
                    <option value={country}>{country}</option>
                  )}
                  {countries.data?.countries.map((entry) => (
                    <option key={entry.code} value={entry.code}>
                      {entry.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Operator (optional)" error={form.fieldError('operator')}>
              {(props) => (
                <>
                  <input
                    {...props}
                    name="operator"
                    list="simulator-operators"
                    placeholder="unknown"
                    value={operator}
                    onChange={(event) => setOperator(event.target.value)}
                  />
                  <datalist id="simulator-operators">
                    {operators.map((name) => (
                      <option key={name} value={name} />
                    ))}
                  </datalist>
                </>
              )}
            </Field>
          </div>
          <Field label="Short code" error={form.fieldError('to')}>
            {(props) => (
              <select {...props} name="shortCode" value={selected} onChange={(event) => setChoice(event.target.value)}>
                {shortCodes.map((option) => (
                  <option key={option.code} value={option.code}>
                    {option.label}
                  </option>
                ))}
                <option value={OTHER}>Another number…</option>
              </select>
            )}
          </Field>
          {selected === OTHER && (
            <Field label="Other short code" hint="Not in this country's tariffs: the SMS will not be counted.">
              {(props) => (
                <input
                  {...props}
                  name="otherShortCode"
                  inputMode="numeric"
                  value={custom}
                  onChange={(event) => setCustom(event.target.value)}
                />
              )}
            </Field>
          )}
          {tariffs.error && <ErrorState error={tariffs.error} />}
          <Field label="Message" error={form.fieldError('text')} hint="E.g. the payment's reference.">
            {(props) => (
              <textarea
                {...props}
                name="text"
                rows={3}
                maxLength={1600}
                value={text}
                onChange={(event) => setText(event.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="button button--primary button--block" disabled={form.fetching || !to}>
            {form.fetching ? 'Sending…' : 'Send SMS'}
          </button>
          {last && <Report sms={last.sms} duplicate={last.duplicate} />}
        </form>
      </section>
      <section className="card inbox" aria-labelledby="inbox-title">
        <header className="card__header">
          <h2 id="inbox-title">Inbox</h2>
          <button type="button" className="button button--small" onClick={refreshInbox} disabled={!settledPhone}>
            Refresh
          </button>
        </header>
        <div className="card__body">
          <p className="muted small">
            What {settledPhone ?? 'this phone'} sent and the replies it got, oldest first. Refreshes every few seconds.
          </p>
          {inbox.error && !inbox.data ? (
            <ErrorState error={inbox.error} onRetry={refreshInbox} />
          ) : messages.length === 0 ? (
            <p className="state state--empty">No messages yet.</p>
          ) : (
            <ol className="thread" aria-label="Messages" ref={thread}>
              {messages.map((sms) => (
                <Bubble key={sms.id} sms={sms} />
              ))}
            </ol>
          )}
        </div>
      </section>
    </div>
  );
}
