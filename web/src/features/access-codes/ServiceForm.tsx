import { useEffect, useState, type FormEvent } from 'react';
import type { FormErrorState } from '../../app/useFormMutation';
import { AMOUNT_HINT, parseAmountInput } from '../../app/amount';
import { AmountInput } from '../../app/components/AmountInput';
import { CurrencySelect } from '../../app/components/CurrencySelect';
import { Field, FormErrors } from '../../app/components/Field';
import type { AccessCodeAlphabet, AccessCodeKind } from '../../gql/graphql';
import { ALPHABETS, formatSeconds, KINDS, splitList } from './status';

/** The form's values, as typed (numbers and lists are text until sent). */
export interface ServiceValues {
  name: string;
  keyword: string;
  shortCodes: string;
  replyTemplate: string;
  kind: AccessCodeKind;
  validitySeconds: string;
  maxUses: string;
  codeLength: string;
  alphabet: AccessCodeAlphabet;
  excludedCharacters: string;
  paidUrl: string;
  expiredUrl: string;
  invalidUrl: string;
  allowedIps: string;
  maxRepliesPerSms: string;
  acceptsCard: boolean;
  cardPrice: string;
  cardCurrency: string;
}

export const NEW_SERVICE: ServiceValues = {
  name: '',
  keyword: '',
  shortCodes: '',
  replyTemplate: 'Your code: {code}. Valid until {expires}.',
  kind: 'PERIOD_FROM_ISSUE',
  validitySeconds: '86400',
  maxUses: '',
  codeLength: '8',
  alphabet: 'LETTERS_AND_DIGITS',
  excludedCharacters: '',
  paidUrl: '',
  expiredUrl: '',
  invalidUrl: '',
  allowedIps: '',
  maxRepliesPerSms: '1',
  acceptsCard: false,
  cardPrice: '',
  // Empty until the account's currency is known: CurrencySelect fills it in.
  cardCurrency: '',
};

/** What the API takes for cards (USD or EUR, as the server's CARD_CURRENCIES). */
const CARD_CURRENCIES = ['USD', 'EUR'];

/** Settings as the API takes them: a period or uses only where the kind has one (null clears it). */
export function toSettings(values: ServiceValues) {
  const kind = KINDS.find((entry) => entry.value === values.kind)!;
  const whole = (text: string) => (text.trim() === '' ? null : Number(text.trim()));
  return {
    name: values.name,
    keyword: values.keyword,
    shortCodes: splitList(values.shortCodes),
    replyTemplate: values.replyTemplate,
    kind: values.kind,
    validitySeconds: kind.period ? whole(values.validitySeconds) : null,
    maxUses: kind.uses ? whole(values.maxUses) : null,
    codeLength: whole(values.codeLength) ?? 0,
    alphabet: values.alphabet,
    excludedCharacters: values.excludedCharacters,
    paidUrl: values.paidUrl,
    expiredUrl: values.expiredUrl,
    invalidUrl: values.invalidUrl,
    allowedIps: splitList(values.allowedIps),
    maxRepliesPerSms: whole(values.maxRepliesPerSms) ?? 1,
    acceptsCard: values.acceptsCard,
    // ServiceForm refuses an unreadable price before this; an empty one stays empty.
    cardPrice: parseAmountInput(values.cardPrice) ?? values.cardPrice.trim(),
    cardCurrency: values.cardCurrency || null,
  };
}

/** The inputs with a field of their own (userErrors on others are the form's). */
export const SERVICE_FIELDS = [
  'name',
  'keyword',
  'shortCodes',
  'replyTemplate',
  'kind',
  'validitySeconds',
  'maxUses',
  'codeLength',
  'alphabet',
  'excludedCharacters',
  'paidUrl',
  'expiredUrl',
  'invalidUrl',
  'allowedIps',
  'maxRepliesPerSms',
  'acceptsCard',
  'cardPrice',
  'cardCurrency',
] as const;

/** The settings of an access-code service, for creating one or changing it. */
export function ServiceForm({
  initial,
  label,
  submitLabel,
  busy,
  errors,
  attach,
  notice,
  onSubmit,
}: {
  initial: ServiceValues;
  label: string;
  submitLabel: string;
  busy: boolean;
  /** From useFormMutation: messages by field and the form's own. */
  errors: FormErrorState;
  attach: (form: HTMLFormElement | null) => void;
  notice?: string | null;
  /** Resolves true when the values were taken (the form then keeps them, or the caller remounts it). */
  onSubmit: (values: ServiceValues) => Promise<boolean>;
}) {
  const [values, setValues] = useState(initial);
  // The form's own check of the card price, shown like the API's; cleared by the next submit.
  const [priceError, setPriceError] = useState<string | null>(null);
  const [formElement, setFormElement] = useState<HTMLFormElement | null>(null);
  const [refusals, setRefusals] = useState(0);
  useEffect(() => {
    if (refusals > 0) formElement?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    // Only after a refused submit.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refusals]);
  const kind = KINDS.find((entry) => entry.value === values.kind)!;
  const set =
    <K extends Exclude<keyof ServiceValues, 'acceptsCard'>>(key: K) =>
    (event: { target: { value: string } }) =>
      setValues((current) => ({ ...current, [key]: event.target.value as ServiceValues[K] }));
  /** A Field's render function for a plain input bound to one value. */
  const text =
    (key: Exclude<keyof ServiceValues, 'acceptsCard'>, extra: Record<string, unknown> = {}) =>
    (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => (
      <input {...props} {...extra} name={key} value={values[key]} onChange={set(key)} />
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (values.cardPrice.trim() !== '' && parseAmountInput(values.cardPrice) === null) {
      setPriceError(AMOUNT_HINT);
      setRefusals((count) => count + 1);
      return;
    }
    setPriceError(null);
    await onSubmit(values);
  };

  return (
    <form
      ref={(element) => {
        attach(element);
        setFormElement(element);
      }}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={label}
    >
      <FormErrors messages={errors.form} />
      {notice && (
        <p className="notice notice--good" role="status">
          {notice}
        </p>
      )}
      <div className="form__row">
        <Field label="Name" error={errors.byField.name} hint="Yours, also named in refusals sent to payers.">
          {text('name', { maxLength: 100, placeholder: 'Premium articles' })}
        </Field>
        <Field label="Keyword" error={errors.byField.keyword} hint="The first word of the SMS, e.g. NEWS.">
          {text('keyword', { maxLength: 20, autoCapitalize: 'characters', placeholder: 'NEWS' })}
        </Field>
        <Field
          label="Short codes"
          error={errors.byField.shortCodes}
          hint="Where the SMS goes, comma separated; each one's tariff is the price."
        >
          {text('shortCodes', { inputMode: 'numeric', placeholder: '1096' })}
        </Field>
      </div>
      <Field
        label="Reply"
        error={errors.byField.replyTemplate}
        hint="With {code}, and if you like {expires} and {uses}. It must fit one SMS with each placeholder at its longest: 160 characters, or 70 if any character is outside GSM-7 (e.g. Cyrillic)."
      >
        {(props) => (
          <textarea
            {...props}
            name="replyTemplate"
            rows={3}
            value={values.replyTemplate}
            onChange={set('replyTemplate')}
          />
        )}
      </Field>
      <div className="form__row form__row--three">
        <Field label="Code kind" error={errors.byField.kind}>
          {(props) => (
            <select {...props} name="kind" value={values.kind} onChange={set('kind')}>
              {KINDS.map((entry) => (
                <option key={entry.value} value={entry.value}>
                  {entry.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {kind.period && (
          <Field
            label="Valid for (seconds)"
            error={errors.byField.validitySeconds}
            hint={
              Number(values.validitySeconds) > 0 ? `= ${formatSeconds(Number(values.validitySeconds))}` : '60 or more'
            }
          >
            {text('validitySeconds', { inputMode: 'numeric' })}
          </Field>
        )}
        {kind.uses && (
          <Field label="Uses per code" error={errors.byField.maxUses} hint="Successful checks each code admits.">
            {text('maxUses', { inputMode: 'numeric' })}
          </Field>
        )}
      </div>
      <div className="form__row form__row--three">
        <Field label="Code length" error={errors.byField.codeLength} hint="4 to 32 characters.">
          {text('codeLength', { inputMode: 'numeric' })}
        </Field>
        <Field label="Characters" error={errors.byField.alphabet} hint="0 O Q 1 I are never used.">
          {(props) => (
            <select {...props} name="alphabet" value={values.alphabet} onChange={set('alphabet')}>
              {ALPHABETS.map((entry) => (
                <option key={entry.value} value={entry.value}>
                  {entry.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Also exclude"
          error={errors.byField.excludedCharacters}
          hint="More look-alikes to leave out, e.g. 8B5S."
        >
          {text('excludedCharacters', { maxLength: 40 })}
        </Field>
      </div>
      <div className="form__row form__row--three">
        <Field label="Paid URL" error={errors.byField.paidUrl} hint="Gets ?code=…&t=…&sig=… added.">
          {text('paidUrl', { type: 'url', inputMode: 'url', placeholder: 'https://example.com/paid' })}
        </Field>
        <Field label="Expired URL" error={errors.byField.expiredUrl}>
          {text('expiredUrl', { type: 'url', inputMode: 'url', placeholder: 'https://example.com/expired' })}
        </Field>
        <Field label="Invalid URL" error={errors.byField.invalidUrl}>
          {text('invalidUrl', { type: 'url', inputMode: 'url', placeholder: 'https://example.com/invalid' })}
        </Field>
      </div>
      <div className="form__row">
        <Field
          label="Server addresses"
          error={errors.byField.allowedIps}
          hint="IPs or CIDR ranges of your servers, allowed to check codes server to server. Empty: none."
        >
          {text('allowedIps', { placeholder: '203.0.113.10, 2001:db8::/48' })}
        </Field>
        <Field
          label="Replies per SMS"
          error={errors.byField.maxRepliesPerSms}
          hint="1 to 5: the code, then resends you ask for."
        >
          {text('maxRepliesPerSms', { inputMode: 'numeric' })}
        </Field>
      </div>
      <fieldset className="subform">
        <legend>Selling by card</legend>
        <label className="checkbox-line">
          <input
            type="checkbox"
            name="acceptsCard"
            checked={values.acceptsCard}
            onChange={(event) => setValues((current) => ({ ...current, acceptsCard: event.target.checked }))}
          />
          Accept cards: a public page sells codes by card, shown on the page and emailed (never sent by SMS)
        </label>
        {errors.byField.acceptsCard && (
          <p className="field__error" role="alert">
            {errors.byField.acceptsCard}
          </p>
        )}
        <div className="form__row">
          <Field
            label="Card price"
            error={priceError ?? errors.byField.cardPrice}
            hint="One code bought by card, e.g. 2.50 or 2,50."
          >
            {(props) => (
              <AmountInput
                {...props}
                name="cardPrice"
                placeholder="2.50"
                value={values.cardPrice}
                onChange={(cardPrice) => setValues((current) => ({ ...current, cardPrice }))}
              />
            )}
          </Field>
          <Field label="Card currency" error={errors.byField.cardCurrency}>
            {(props) => (
              <CurrencySelect
                {...props}
                name="cardCurrency"
                currencies={CARD_CURRENCIES}
                value={values.cardCurrency}
                onChange={(cardCurrency) => setValues((current) => ({ ...current, cardCurrency }))}
              />
            )}
          </Field>
        </div>
      </fieldset>
      <div className="form__actions">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
