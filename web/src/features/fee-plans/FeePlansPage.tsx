import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql, useFragment, type FragmentType } from '../../gql';
import type { FeeMethod, FeePlanFieldsFragment } from '../../gql/graphql';
import { Badge } from '../../app/components/Badge';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Card, Page } from '../../app/components/Page';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation, type FormErrorState } from '../../app/useFormMutation';
import { amountsText, bpsOf, describeRule, percentOf } from './feeText';
import { EMPTY_ROW, MoneyList, readMoneyRows, type MoneyRow } from './MoneyList';

export const FeePlanFields = graphql(`
  fragment FeePlanFields on FeePlan {
    id
    name
    description
    isDefault
    reserveBps
    reserveDays
    updatedAt
    rules {
      method
      percentBps
      fromTariff
      fixed {
        amount
        currency
      }
    }
    chargebackFee {
      amount
      currency
    }
  }
`);

const FeePlansDocument = graphql(`
  query FeePlans {
    feePlans {
      id
      ...FeePlanFields
    }
  }
`);

const CreateFeePlanDocument = graphql(`
  mutation CreateFeePlan($input: CreateFeePlanInput!) {
    createFeePlan(input: $input) {
      feePlan {
        id
        ...FeePlanFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const UpdateFeePlanDocument = graphql(`
  mutation UpdateFeePlan($input: UpdateFeePlanInput!) {
    updateFeePlan(input: $input) {
      feePlan {
        id
        ...FeePlanFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Plan = FeePlanFieldsFragment;

/** The methods a plan prices itself; SMS is priced by the tariff and has nothing to edit. */
const EDITABLE: { method: FeeMethod; label: string }[] = [
  { method: 'CARD_ONLINE', label: 'Card online' },
  { method: 'CARD_PRESENT', label: 'Card present' },
  { method: 'PAYOUT', label: 'Payout' },
];

interface PlanValues {
  name: string;
  description: string;
  percent: Record<string, string>;
  fixed: Record<string, MoneyRow[]>;
  chargebackFee: MoneyRow[];
  reservePercent: string;
  reserveDays: string;
  isDefault: boolean;
}

/** A plan's amounts as rows to edit; none yet: one empty row. */
function rowsOf(amounts: readonly { amount: string; currency: string }[]): MoneyRow[] {
  return amounts.length ? amounts.map(({ amount, currency }) => ({ amount, currency })) : [EMPTY_ROW];
}

function valuesOf(plan: Plan | null): PlanValues {
  const rule = (method: FeeMethod) => plan?.rules.find((entry) => entry.method === method);
  return {
    name: plan?.name ?? '',
    description: plan?.description ?? '',
    percent: Object.fromEntries(EDITABLE.map(({ method }) => [method, percentOf(rule(method)?.percentBps ?? 0)])),
    fixed: Object.fromEntries(EDITABLE.map(({ method }) => [method, rowsOf(rule(method)?.fixed ?? [])])),
    chargebackFee: rowsOf(plan?.chargebackFee ?? []),
    reservePercent: percentOf(plan?.reserveBps ?? 0),
    reserveDays: String(plan?.reserveDays ?? 0),
    isDefault: plan?.isDefault ?? false,
  };
}

const FIELDS = ['name', 'description', 'rules', 'chargebackFee', 'reserveBps', 'reserveDays', 'isDefault'];

interface PlanInput {
  name: string;
  description: string;
  rules: { method: FeeMethod; percentBps: number; fixed: { amount: string; currency: string }[] }[];
  chargebackFee: { amount: string; currency: string }[];
  reserveBps: number;
  reserveDays: number;
  isDefault: boolean;
}

/** Create a plan, or change one: percentages as people write them, fixed amounts per currency. */
function PlanForm({
  plan,
  errors,
  attach,
  busy,
  showErrors,
  onSubmit,
  onDone,
}: {
  plan: Plan | null;
  errors: FormErrorState;
  attach: (form: HTMLFormElement | null) => void;
  busy: boolean;
  /** Client-side errors, shown like the API's. */
  showErrors: (errors: FormErrorState) => void;
  onSubmit: (input: PlanInput) => Promise<void>;
  onDone: () => void;
}) {
  const [values, setValues] = useState(() => valuesOf(plan));
  const fieldError = (field: string): string | undefined => errors.byField[field];
  const set = (key: 'name' | 'description' | 'reservePercent' | 'reserveDays') => (text: string) =>
    setValues((current) => ({ ...current, [key]: text }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const byField: Record<string, string> = {};
    /** The API's amounts of a list, noting each row it cannot read as `${key}.${index}`. */
    const amountsOf = (rows: readonly MoneyRow[], key: string) => {
      const read = readMoneyRows(rows);
      if ('amounts' in read) return read.amounts;
      for (const [index, message] of Object.entries(read.errors)) byField[`${key}.${index}`] = message;
      return [];
    };
    const rules = EDITABLE.map(({ method }) => {
      const percentBps = bpsOf(values.percent[method] ?? '');
      if (percentBps === null) byField[`percent.${method}`] = 'A percentage like 1.9 (at most two decimals).';
      return { method, percentBps: percentBps ?? 0, fixed: amountsOf(values.fixed[method] ?? [], `fixed.${method}`) };
    });
    const chargebackFee = amountsOf(values.chargebackFee, 'chargebackFee');
    const reserveBps = bpsOf(values.reservePercent);
    if (reserveBps === null) byField.reserveBps = 'A percentage like 10.';
    const reserveDays = /^\d{1,3}$/.test(values.reserveDays.trim()) ? Number(values.reserveDays.trim()) : null;
    if (reserveDays === null) byField.reserveDays = 'Whole days, 0 to 365.';
    if (Object.keys(byField).length || reserveBps === null || reserveDays === null) {
      showErrors({ byField, form: [] });
      return;
    }
    await onSubmit({
      name: values.name.trim(),
      description: values.description,
      rules,
      chargebackFee,
      reserveBps,
      reserveDays,
      isDefault: values.isDefault,
    });
  };

  return (
    <form
      ref={attach}
      className="form"
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label={plan ? `Edit ${plan.name}` : 'Create fee plan'}
    >
      <FormErrors messages={errors.form} />
      <div className="form__row">
        <Field label="Plan name" error={fieldError('name')}>
          {(props) => (
            <input
              {...props}
              name="name"
              maxLength={100}
              value={values.name}
              onChange={(event) => set('name')(event.target.value)}
            />
          )}
        </Field>
        <Field label="Description" error={fieldError('description')}>
          {(props) => (
            <input
              {...props}
              name="description"
              maxLength={500}
              value={values.description}
              onChange={(event) => set('description')(event.target.value)}
            />
          )}
        </Field>
      </div>
      <FormErrors messages={fieldError('rules') ? [fieldError('rules') ?? ''] : []} />
      {EDITABLE.map(({ method, label }) => (
        <div className="form__row" key={method}>
          <Field label={`${label}: percent`} error={fieldError(`percent.${method}`)} hint="e.g. 1.9">
            {(props) => (
              <input
                {...props}
                inputMode="decimal"
                value={values.percent[method]}
                onChange={(event) =>
                  setValues((current) => ({
                    ...current,
                    percent: { ...current.percent, [method]: event.target.value },
                  }))
                }
              />
            )}
          </Field>
          <MoneyList
            label={`${label}: fixed`}
            hint="Charged in the payment's currency; add one per currency you take."
            rows={values.fixed[method] ?? []}
            onChange={(rows) => setValues((current) => ({ ...current, fixed: { ...current.fixed, [method]: rows } }))}
            errorOf={(index) => fieldError(`fixed.${method}.${index}`)}
          />
        </div>
      ))}
      <p className="muted small">SMS are priced by their tariff (operator share and platform fee): nothing to set.</p>
      <MoneyList
        label="Chargeback fee"
        rows={values.chargebackFee}
        onChange={(rows) => setValues((current) => ({ ...current, chargebackFee: rows }))}
        errorOf={(index) => fieldError(`chargebackFee.${index}`)}
        error={fieldError('chargebackFee')}
      />
      <div className="form__row">
        <Field label="Reserve (percent)" error={fieldError('reserveBps')} hint="Held back from card money.">
          {(props) => (
            <input
              {...props}
              inputMode="decimal"
              value={values.reservePercent}
              onChange={(event) => set('reservePercent')(event.target.value)}
            />
          )}
        </Field>
        <Field label="Reserve days" error={fieldError('reserveDays')} hint="0 to 365.">
          {(props) => (
            <input
              {...props}
              inputMode="numeric"
              value={values.reserveDays}
              onChange={(event) => set('reserveDays')(event.target.value)}
            />
          )}
        </Field>
      </div>
      {!plan?.isDefault && (
        <label className="checkbox-line">
          <input
            type="checkbox"
            checked={values.isDefault}
            onChange={(event) => setValues((current) => ({ ...current, isDefault: event.target.checked }))}
          />
          The default plan (for every merchant without a plan of its own)
        </label>
      )}
      <div className="form__actions">
        <button type="button" className="button" onClick={onDone}>
          Close
        </button>
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Saving…' : plan ? 'Save plan' : 'Create plan'}
        </button>
      </div>
    </form>
  );
}

function CreatePlanForm({ onDone }: { onDone: () => void }) {
  const { attach, ...form } = useFormMutation(CreateFeePlanDocument, (data) => data.createFeePlan, FIELDS);
  return (
    <PlanForm
      plan={null}
      errors={form.errors}
      attach={attach}
      busy={form.fetching}
      showErrors={form.setErrors}
      onDone={onDone}
      onSubmit={async (input) => {
        if (await form.submit({ input })) onDone();
      }}
    />
  );
}

function EditPlanForm({ plan, onDone }: { plan: Plan; onDone: () => void }) {
  const { attach, ...form } = useFormMutation(UpdateFeePlanDocument, (data) => data.updateFeePlan, FIELDS);
  return (
    <PlanForm
      plan={plan}
      errors={form.errors}
      attach={attach}
      busy={form.fetching}
      showErrors={form.setErrors}
      onDone={onDone}
      onSubmit={async ({ isDefault, ...input }) => {
        // The default cannot be unset, only moved: isDefault is sent only to make this plan the default.
        if (
          await form.submit({
            input: { id: plan.id, ...input, ...(isDefault && !plan.isDefault ? { isDefault } : {}) },
          })
        )
          onDone();
      }}
    />
  );
}

function rule(plan: Plan, method: FeeMethod): string {
  const found = plan.rules.find((entry) => entry.method === method);
  return found ? describeRule(found) : 'free';
}

function PlansTable({
  plans,
  onEdit,
}: {
  plans: readonly FragmentType<typeof FeePlanFields>[];
  onEdit: (plan: Plan) => void;
}) {
  const rows = useFragment(FeePlanFields, plans);
  return (
    <DataTable<Plan>
      caption="Fee plans"
      rows={rows}
      rowKey={(plan) => plan.id}
      empty="No fee plans."
      columns={[
        {
          header: 'Plan',
          render: (plan) => (
            <span>
              <strong>{plan.name}</strong> {plan.isDefault && <Badge tone="info">default</Badge>}
              {plan.description && (
                <>
                  <br />
                  <span className="muted small">{plan.description}</span>
                </>
              )}
            </span>
          ),
        },
        { header: 'Card online', render: (plan) => rule(plan, 'CARD_ONLINE') },
        { header: 'Card present', render: (plan) => rule(plan, 'CARD_PRESENT') },
        { header: 'SMS', render: (plan) => rule(plan, 'SMS') },
        { header: 'Payout', render: (plan) => rule(plan, 'PAYOUT') },
        {
          header: 'Chargeback',
          render: (plan) => (plan.chargebackFee.length ? amountsText(plan.chargebackFee) : 'none'),
        },
        {
          header: 'Reserve',
          render: (plan) => (plan.reserveBps ? `${percentOf(plan.reserveBps)}% for ${plan.reserveDays} days` : 'none'),
        },
        {
          header: '',
          className: 'actions',
          render: (plan) => (
            <button
              type="button"
              className="button button--small"
              aria-label={`Edit ${plan.name}`}
              onClick={() => onEdit(plan)}
            >
              Edit
            </button>
          ),
        },
      ]}
    />
  );
}

/** Admin: the fee plans merchants are on (card online, card present, SMS, payout, chargebacks, reserve). */
export function FeePlansPage() {
  const [query, refetch] = useQuery({ query: FeePlansDocument });
  const [editing, setEditing] = useState<Plan | 'new' | null>(null);
  const done = () => {
    setEditing(null);
    refetch({ requestPolicy: 'network-only' });
  };
  return (
    <Page
      title="Fee plans"
      description="One fee per payment, from the merchant's plan. Merchants without a plan of their own have the default. Assign plans on the Merchants page."
      actions={
        !editing && (
          <button type="button" className="button button--primary" onClick={() => setEditing('new')}>
            New fee plan
          </button>
        )
      }
    >
      {editing && (
        <Card title={editing === 'new' ? 'New fee plan' : `Edit ${editing.name}`}>
          {editing === 'new' ? (
            <CreatePlanForm onDone={done} />
          ) : (
            <EditPlanForm key={editing.id} plan={editing} onDone={done} />
          )}
        </Card>
      )}
      <Card>
        <QueryView query={query} refetch={refetch}>
          {(data) => <PlansTable plans={data.feePlans} onEdit={setEditing} />}
        </QueryView>
      </Card>
    </Page>
  );
}
