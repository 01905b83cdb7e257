import { useEffect, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import type { PayoutDestinationKind, PayoutsQuery } from '../../gql/graphql';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Time } from '../../app/components/Time';
import { useFormMutation } from '../../app/useFormMutation';
import {
  CardTokenError,
  checkCard,
  groupCardNumber,
  parseExpiry,
  tokenisePayoutCard,
  type CardToken,
} from '../card/tokenise';
import { CodeForm } from './CodeForm';
import { describeDestination, DestinationStatusBadge } from './status';

const AddPayoutDestinationDocument = graphql(`
  mutation AddPayoutDestination($input: AddPayoutDestinationInput!) {
    addPayoutDestination(input: $input) {
      destination {
        id
        status
      }
      confirmation {
        id
        sentTo
        expiresAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ChangePayoutDestinationDocument = graphql(`
  mutation ChangePayoutDestination($input: ChangePayoutDestinationInput!) {
    changePayoutDestination(input: $input) {
      destination {
        id
        status
      }
      confirmation {
        id
        sentTo
        expiresAt
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ConfirmPayoutDestinationDocument = graphql(`
  mutation ConfirmPayoutDestination($input: ConfirmCodeInput!) {
    confirmPayoutDestination(input: $input) {
      destination {
        id
        status
        confirmedAt
        usableFrom
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const RemovePayoutDestinationDocument = graphql(`
  mutation RemovePayoutDestination($input: IdInput!) {
    removePayoutDestination(input: $input) {
      destination {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

export type Destination = PayoutsQuery['payoutDestinations']['edges'][number]['node'];

const KIND_LABELS: Record<PayoutDestinationKind, string> = {
  BANK_ACCOUNT: 'Bank account (IBAN + BIC)',
  EWALLET: 'E-wallet',
  CARD: 'Card',
};

const FIELDS = ['kind', 'holderName', 'label', 'iban', 'bic', 'cardTokenId', 'walletProvider', 'walletId'];

/** The card's inputs: uncontrolled, read from the form at submit and emptied once the card is a token. */
const CARD_INPUTS = { number: 'cardnumber', expiry: 'cc-exp', cvc: 'cvc' } as const;

/**
 * The payout card typed into the form, as a token of the merchant's own (`POST /card/payout-tokens`), or the
 * messages per input when it is not one yet. The number and the security code leave the inputs once tokenised.
 */
async function tokeniseFormCard(
  form: HTMLFormElement,
  holderName: string,
): Promise<{ token: CardToken } | { byField: Record<string, string>; form: string[] }> {
  const data = new FormData(form);
  const read = (name: string) => (data.get(name) as string | null) ?? '';
  const values = {
    number: read(CARD_INPUTS.number),
    expiry: read(CARD_INPUTS.expiry),
    cvc: read(CARD_INPUTS.cvc),
    holderName,
  };
  const found = checkCard(values);
  if (Object.keys(found).length) return { byField: found, form: [] };
  const expiry = parseExpiry(values.expiry)!;
  try {
    const token = await tokenisePayoutCard({
      number: values.number,
      expMonth: expiry.month,
      expYear: expiry.year,
      cvc: values.cvc.trim(),
      holderName: holderName.trim(),
    });
    for (const name of Object.values(CARD_INPUTS)) {
      const input = form.elements.namedItem(name);
      if (input instanceof HTMLInputElement) input.value = '';
    }
    return { token };
  } catch (error) {
    if (error instanceof CardTokenError && error.field) return { byField: { [error.field]: error.message }, form: [] };
    return { byField: {}, form: [error instanceof Error ? error.message : 'The card could not be read.'] };
  }
}

/** New payout details, or a change of active ones; either waits for the emailed code. */
function DestinationForm({
  replacing,
  onSent,
  onCancel,
}: {
  replacing: Destination | null;
  onSent: (id: string, sent: { sentTo: string; expiresAt: string } | null) => void;
  onCancel?: () => void;
}) {
  const [kind, setKind] = useState<PayoutDestinationKind>((replacing?.kind as PayoutDestinationKind) ?? 'BANK_ACCOUNT');
  const [values, setValues] = useState<Record<string, string>>({
    holderName: replacing?.holderName ?? '',
    label: replacing?.label ?? '',
  });
  // The payout card once tokenised (its token and what is printed on it, never the number): a refused submit
  // sends the same token again instead of asking for the card twice.
  const [card, setCard] = useState<CardToken | null>(null);
  const [tokenising, setTokenising] = useState(false);
  const add = useFormMutation(AddPayoutDestinationDocument, (data) => data.addPayoutDestination, FIELDS);
  const change = useFormMutation(ChangePayoutDestinationDocument, (data) => data.changePayoutDestination, FIELDS);
  const form = replacing ? change : add;
  const value = (name: string) => values[name] ?? '';
  const input = (name: string, props: object, extra: object = {}) => (
    <input
      {...props}
      {...extra}
      value={value(name)}
      onChange={(event) => setValues((current) => ({ ...current, [name]: event.target.value }))}
    />
  );
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmed = (name: string) => value(name).trim() || null;
    let cardToken = card;
    if (kind === 'CARD' && !cardToken) {
      setTokenising(true);
      const read = await tokeniseFormCard(event.currentTarget, value('holderName'));
      setTokenising(false);
      if (!('token' in read)) {
        form.setErrors(read);
        return;
      }
      cardToken = read.token;
      setCard(cardToken);
    }
    const fields = {
      kind,
      holderName: value('holderName').trim(),
      label: trimmed('label'),
      ...(kind === 'BANK_ACCOUNT' ? { iban: trimmed('iban'), bic: trimmed('bic') } : {}),
      ...(kind === 'CARD' ? { cardTokenId: cardToken?.token ?? null } : {}),
      ...(kind === 'EWALLET' ? { walletProvider: trimmed('walletProvider'), walletId: trimmed('walletId') } : {}),
    };
    const payload = replacing
      ? await change.submit({ input: { id: replacing.id, ...fields } })
      : await add.submit({ input: fields });
    if (payload?.destination) {
      setValues({ holderName: '', label: '' });
      setCard(null);
      onSent(payload.destination.id, payload.confirmation ?? null);
    }
  };
  return (
    <form
      ref={form.attach}
      className="form"
      aria-label={replacing ? 'Change payout details' : 'Add payout details'}
      onSubmit={(event) => void submit(event)}
      noValidate
    >
      <FormErrors messages={form.errors.form} />
      <div className="form__row form__row--three">
        <Field label="Kind" error={form.fieldError('kind')}>
          {(props) => (
            <select {...props} value={kind} onChange={(event) => setKind(event.target.value as PayoutDestinationKind)}>
              {(Object.keys(KIND_LABELS) as PayoutDestinationKind[]).map((option) => (
                <option key={option} value={option}>
                  {KIND_LABELS[option]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label={kind === 'CARD' ? 'Name on card' : 'Account holder'}
          error={form.fieldError('holderName')}
          hint="Up to 70 characters."
        >
          {(props) => input('holderName', props, { autoComplete: 'name' })}
        </Field>
        <Field label="Your name for it" error={form.fieldError('label')} hint="Optional.">
          {(props) => input('label', props)}
        </Field>
      </div>
      {kind === 'BANK_ACCOUNT' && (
        <div className="form__row">
          <Field label="IBAN" error={form.fieldError('iban')} hint="Spaces are fine.">
            {(props) => input('iban', props, { autoComplete: 'off', spellCheck: false })}
          </Field>
          <Field label="BIC" error={form.fieldError('bic')} hint="8 or 11 characters.">
            {(props) => input('bic', props, { autoComplete: 'off', spellCheck: false })}
          </Field>
        </div>
      )}
      {kind === 'EWALLET' && (
        <div className="form__row">
          <Field label="Provider" error={form.fieldError('walletProvider')} hint="e.g. paypal">
            {(props) => input('walletProvider', props)}
          </Field>
          <Field label="Account id" error={form.fieldError('walletId')}>
            {(props) => input('walletId', props, { autoComplete: 'off' })}
          </Field>
        </div>
      )}
      {kind === 'CARD' &&
        (card ? (
          <div className="form__row">
            <p role="status">
              {card.brand} •••• {card.last4} is read: only its token is kept.{' '}
              <button
                type="button"
                className="button button--small"
                onClick={() => {
                  setCard(null);
                  form.clearErrors();
                }}
              >
                Use another card
              </button>
            </p>
            {form.fieldError('cardTokenId') && (
              <p className="field__error" role="alert">
                {form.fieldError('cardTokenId')}
              </p>
            )}
          </div>
        ) : (
          <>
            <Field
              label="Card number"
              error={form.fieldError('number') ?? form.fieldError('cardTokenId')}
              hint="Your own debit card: the payout goes to it. It goes straight to Tollgate's tokeniser."
            >
              {(props) => (
                <input
                  {...props}
                  name={CARD_INPUTS.number}
                  autoComplete="cc-number"
                  inputMode="numeric"
                  maxLength={23}
                  placeholder="1234 5678 9012 3456"
                  onInput={(event) => {
                    const element = event.currentTarget;
                    element.value = groupCardNumber(element.value);
                  }}
                />
              )}
            </Field>
            <div className="form__row">
              <Field label="Expiry (MM/YY)" error={form.fieldError('expiry')}>
                {(props) => (
                  <input
                    {...props}
                    name={CARD_INPUTS.expiry}
                    autoComplete="cc-exp"
                    inputMode="numeric"
                    maxLength={7}
                    placeholder="MM/YY"
                  />
                )}
              </Field>
              <Field label="Security code (CVC)" error={form.fieldError('cvc')}>
                {(props) => (
                  <input
                    {...props}
                    name={CARD_INPUTS.cvc}
                    autoComplete="cc-csc"
                    inputMode="numeric"
                    maxLength={4}
                    placeholder="123"
                  />
                )}
              </Field>
            </div>
          </>
        ))}
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={form.fetching || tokenising}>
          {replacing ? 'Change and send code' : 'Add and send code'}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            Keep as it is
          </button>
        )}
      </div>
    </form>
  );
}

/** The time now, moving on every half minute: a cool-off ending while the page is open shows. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Keyed by usableFrom where used: a destination just confirmed is judged against the time it arrived. */
function UsableFrom({ destination }: { destination: Destination }) {
  const now = useNow();
  if (destination.status !== 'ACTIVE' || !destination.usableFrom) return <span className="muted">—</span>;
  if (new Date(destination.usableFrom).getTime() <= now) return <span>Usable now</span>;
  return (
    <span>
      Usable from <Time value={destination.usableFrom} />
    </span>
  );
}

function Remove({ destination, onDone }: { destination: Destination; onDone: () => void }) {
  const [, remove] = useMutation(RemovePayoutDestinationDocument);
  return (
    <ConfirmBox
      trigger="Remove"
      triggerClassName="button button--small button--danger-quiet"
      label={`Remove ${describeDestination(destination)}`}
      confirmLabel="Remove"
      inline
      onConfirm={async () => {
        const response = await remove({ input: { id: destination.id } });
        const message =
          response.error?.message ?? response.data?.removePayoutDestination.userErrors[0]?.message ?? null;
        if (!message) onDone();
        return message;
      }}
    />
  );
}

/** The merchant's payout details: where withdrawals go, each confirmed by an emailed code, usable after a cool-off. */
export function Destinations({
  destinations,
  owner,
  onChange,
}: {
  destinations: readonly Destination[];
  owner: boolean;
  onChange: () => void;
}) {
  const [sent, setSent] = useState<Record<string, { sentTo: string; expiresAt: string }>>({});
  const [replacing, setReplacing] = useState<Destination | null>(null);
  const shown = destinations.filter((destination) => destination.status !== 'REMOVED');
  const codeSent = (id: string, confirmation: { sentTo: string; expiresAt: string } | null) => {
    if (confirmation) setSent((current) => ({ ...current, [id]: confirmation }));
    setReplacing(null);
    onChange();
  };
  return (
    <div className="stack">
      <DataTable<Destination>
        caption="Payout destinations"
        rows={shown}
        rowKey={(destination) => destination.id}
        empty="No payout details yet: add a bank account, a card or an e-wallet to withdraw to."
        columns={[
          { header: 'Destination', render: (destination) => describeDestination(destination) },
          { header: 'Holder', render: (destination) => destination.holderName },
          { header: 'Status', render: (destination) => <DestinationStatusBadge status={destination.status} /> },
          {
            header: 'Usable',
            render: (destination) => <UsableFrom key={destination.usableFrom ?? 'none'} destination={destination} />,
          },
          {
            header: 'Actions',
            render: (destination) =>
              !owner ? null : destination.status === 'PENDING' ? (
                <div className="stack">
                  <CodeForm
                    id={destination.id}
                    label={`Confirm ${describeDestination(destination)}`}
                    sent={sent[destination.id]}
                    document={ConfirmPayoutDestinationDocument}
                    payloadOf={(data) => data.confirmPayoutDestination}
                    submitLabel="Confirm"
                    onDone={onChange}
                  />
                  <Remove destination={destination} onDone={onChange} />
                </div>
              ) : destination.status === 'ACTIVE' ? (
                <span className="button-row">
                  <button type="button" className="button button--small" onClick={() => setReplacing(destination)}>
                    Change
                  </button>
                  <Remove destination={destination} onDone={onChange} />
                </span>
              ) : null,
          },
        ]}
      />
      {owner &&
        (replacing ? (
          <DestinationForm
            key={replacing.id}
            replacing={replacing}
            onSent={codeSent}
            onCancel={() => setReplacing(null)}
          />
        ) : (
          <DestinationForm replacing={null} onSent={codeSent} />
        ))}
    </div>
  );
}
