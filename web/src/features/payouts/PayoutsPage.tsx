import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { PayoutsQuery } from '../../gql/graphql';
import { DataTable } from '../../app/components/DataTable';
import { Field, FormErrors } from '../../app/components/Field';
import { Money, type MoneyValue } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { QueryView } from '../../app/components/QueryView';
import { useFormMutation } from '../../app/useFormMutation';
import { useViewer } from '../../app/viewer';
import { AutoPayouts } from './AutoPayouts';
import { Destinations } from './Destinations';
import { WithdrawalForm, WithdrawalsList } from './Withdrawals';

const PayoutsDocument = graphql(`
  query Payouts {
    me {
      merchant {
        id
        balances {
          accountId
          purpose
          available {
            amount
            currency
          }
          held {
            amount
            currency
          }
        }
      }
    }
    payoutSettings {
      coolOffHours
      platformMinimumCoolOffHours
    }
    autoPayouts {
      id
      currency
      status
      schedule
      reserve {
        amount
        currency
      }
      destinationId
      confirmedAt
      lastPeriod
      requestedSchedule
      requestedReserve {
        amount
        currency
      }
      requestedDestinationId
    }
    payoutDestinations(first: 100) {
      edges {
        node {
          id
          kind
          status
          label
          holderName
          iban
          bic
          cardBrand
          cardLast4
          walletProvider
          walletId
          confirmedAt
          usableFrom
          createdAt
        }
      }
    }
  }
`);

const SetPayoutCoolOffDocument = graphql(`
  mutation SetPayoutCoolOff($input: SetPayoutCoolOffInput!) {
    setPayoutCoolOff(input: $input) {
      settings {
        coolOffHours
        platformMinimumCoolOffHours
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

type Balance = NonNullable<NonNullable<PayoutsQuery['me']>['merchant']>['balances'][number];

interface CurrencyBalance {
  currency: string;
  available: MoneyValue;
  held: MoneyValue;
  owed: MoneyValue | null;
}

function isNegative(amount: string): boolean {
  return amount.trim().startsWith('-') && /[1-9]/.test(amount);
}

/** Per currency: what may be withdrawn, what withdrawals in flight hold, and what is owed (it blocks withdrawals). */
function byCurrency(balances: readonly Balance[]): CurrencyBalance[] {
  const rows = new Map<string, CurrencyBalance>();
  for (const balance of balances) {
    const currency = balance.available.currency;
    const zero = { amount: '0', currency };
    const row = rows.get(currency) ?? { currency, available: zero, held: zero, owed: null };
    if (balance.purpose === 'MERCHANT_AVAILABLE')
      Object.assign(row, { available: balance.available, held: balance.held });
    if (balance.purpose === 'MERCHANT_RECEIVABLE' && isNegative(balance.available.amount)) row.owed = balance.available;
    rows.set(currency, row);
  }
  return [...rows.values()]
    .filter((row) => /[1-9]/.test(row.available.amount) || /[1-9]/.test(row.held.amount) || row.owed)
    .sort((a, b) => a.currency.localeCompare(b.currency));
}

function PayoutBalances({ balances }: { balances: readonly Balance[] }) {
  const rows = byCurrency(balances);
  return (
    <DataTable<CurrencyBalance>
      caption="Payout balances"
      rows={rows}
      rowKey={(row) => row.currency}
      empty="Nothing to withdraw yet: money appears here once payments settle."
      columns={[
        { header: 'Currency', render: (row) => row.currency },
        { header: 'Available', className: 'num', render: (row) => <Money money={row.available} /> },
        { header: 'Held for withdrawals', className: 'num', render: (row) => <Money money={row.held} /> },
        {
          header: 'Owed to Tollgate',
          render: (row) =>
            row.owed ? (
              <span>
                <Money money={row.owed} /> — withdrawals wait until it is covered
              </span>
            ) : (
              <span className="muted">nothing</span>
            ),
        },
      ]}
    />
  );
}

function CoolOffForm({
  settings,
  owner,
  onDone,
}: {
  settings: PayoutsQuery['payoutSettings'];
  owner: boolean;
  onDone: () => void;
}) {
  const [hours, setHours] = useState('');
  const { attach, ...form } = useFormMutation(SetPayoutCoolOffDocument, (data) => data.setPayoutCoolOff, ['hours']);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = Number(hours);
    if (!/^\d+$/.test(hours.trim()) || value <= settings.coolOffHours) {
      form.setErrors({
        byField: { hours: `Enter whole hours above the current ${settings.coolOffHours}: it can only be lengthened.` },
        form: [],
      });
      return;
    }
    const payload = await form.submit({ input: { hours: value } });
    if (payload) {
      setHours('');
      onDone();
    }
  };
  return (
    <div className="stack">
      <p>
        New or changed payout details wait <strong data-testid="cool-off-hours">{settings.coolOffHours} hours</strong>{' '}
        before a withdrawal may use them (the platform minimum is {settings.platformMinimumCoolOffHours} hours).
      </p>
      {owner && (
        <form
          ref={attach}
          className="form form--inline"
          aria-label="Cool-off"
          onSubmit={(event) => void submit(event)}
          noValidate
        >
          <FormErrors messages={form.errors.form} />
          <Field
            label="Cool-off (hours)"
            error={form.fieldError('hours')}
            hint="It can be lengthened, never shortened."
          >
            {(props) => (
              <input
                {...props}
                inputMode="numeric"
                placeholder={String(settings.coolOffHours)}
                value={hours}
                onChange={(event) => setHours(event.target.value)}
              />
            )}
          </Field>
          <div className="form__actions">
            <button type="submit" className="button" disabled={form.fetching || !hours.trim()}>
              Lengthen cool-off
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/**
 * Payouts: where the merchant's money goes (confirmed by an emailed code, usable after a cool-off), withdrawals
 * asked for and confirmed the same way, and the balances they come from.
 */
export function PayoutsPage() {
  const viewer = useViewer();
  const owner = viewer.user?.role === 'OWNER';
  const [query, refetch] = useQuery({ query: PayoutsDocument });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  // Bumped when a withdrawal is requested: the list (its own query, with its own filters) loads again.
  const [withdrawalsVersion, setWithdrawalsVersion] = useState(0);
  const requested = () => {
    refresh();
    setWithdrawalsVersion((version) => version + 1);
  };
  return (
    <Page
      title="Payouts"
      description="Withdraw your balance to your bank account, card or e-wallet, by hand or automatically. Every change and every withdrawal is confirmed with a code emailed to the owner."
    >
      <QueryView query={query} refetch={refetch}>
        {(data) => {
          const balances = data.me?.merchant?.balances ?? [];
          const destinations = data.payoutDestinations.edges.map((edge) => edge.node);
          const currencies = byCurrency(balances).map((row) => row.currency);
          return (
            <>
              <Card title="Balances">
                <PayoutBalances balances={balances} />
              </Card>
              <Card title="Withdrawals">
                <div className="stack">
                  {owner ? (
                    <WithdrawalForm destinations={destinations} currencies={currencies} onRequested={requested} />
                  ) : (
                    <p className="muted">Only the merchant’s owners may withdraw.</p>
                  )}
                  <WithdrawalsList owner={owner} onChange={refresh} reloadKey={withdrawalsVersion} />
                </div>
              </Card>
              <Card title="Automatic payouts">
                <AutoPayouts
                  autoPayouts={data.autoPayouts}
                  destinations={destinations}
                  currencies={currencies}
                  owner={owner}
                  onChange={refresh}
                />
              </Card>
              <Card title="Payout details">
                <Destinations destinations={destinations} owner={owner} onChange={refresh} />
              </Card>
              <Card title="Cool-off">
                <CoolOffForm settings={data.payoutSettings} owner={owner} onDone={refresh} />
              </Card>
            </>
          );
        }}
      </QueryView>
    </Page>
  );
}
