import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { QueryView } from '../../app/components/QueryView';
import { graphql, useFragment } from '../../gql';
import { Badge } from '../../app/components/Badge';
import { ConfirmBox } from '../../app/components/ConfirmBox';
import { DataTable } from '../../app/components/DataTable';
import { FormErrors } from '../../app/components/Field';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { CountryForm, type Country } from './CountryForm';
import { CsvImport, ExportCsvButton } from './CsvPanel';
import { CountryFields, CountryTariffsDocument, TariffCountriesDocument, TariffFields } from './documents';
import { TariffForm, type Tariff } from './TariffForm';

const DeactivateTariffDocument = graphql(`
  mutation DeactivateTariff($input: IdInput!) {
    deactivateTariff(input: $input) {
      tariff {
        ...TariffFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

const ReactivateTariffDocument = graphql(`
  mutation ReactivateTariff($input: UpdateTariffInput!) {
    updateTariff(input: $input) {
      tariff {
        ...TariffFields
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

function operatorName(tariff: Tariff): string {
  return tariff.operator?.name ?? 'All operators';
}

/** Deactivate (after a confirmation) or reactivate one tariff; failures go to the table's error line. */
function TariffStatusActions({ tariff, onError }: { tariff: Tariff; onError: (message: string | null) => void }) {
  const [, deactivate] = useMutation(DeactivateTariffDocument);
  const [reactivated, reactivate] = useMutation(ReactivateTariffDocument);
  const label = `${tariff.shortCode} (${operatorName(tariff)})`;
  if (!tariff.active)
    return (
      <button
        type="button"
        className="button button--small"
        disabled={reactivated.fetching}
        aria-label={`Reactivate ${label}`}
        onClick={() =>
          void reactivate({ input: { id: tariff.id, active: true } }).then((response) =>
            onError(response.error?.message ?? response.data?.updateTariff.userErrors[0]?.message ?? null),
          )
        }
      >
        Reactivate
      </button>
    );
  return (
    <ConfirmBox
      inline
      trigger="Deactivate"
      triggerClassName="button button--small button--danger-quiet"
      triggerAriaLabel={`Deactivate ${label}`}
      label={`Deactivate ${label}?`}
      confirmLabel="Stop quoting"
      onConfirm={async () => {
        const response = await deactivate({ input: { id: tariff.id } });
        return response.error?.message ?? response.data?.deactivateTariff.userErrors[0]?.message;
      }}
    />
  );
}

/** One country's tariff rows with their forms. */
function CountryTariffs({ country }: { country: Country }) {
  const [query, refetch] = useQuery({
    query: CountryTariffsDocument,
    variables: { country: country.code },
  });
  const { data } = query;
  const [editing, setEditing] = useState<Tariff | 'new' | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const tariffs = useFragment(TariffFields, data?.tariffs) ?? [];
  const operators = [...new Set(tariffs.flatMap((tariff) => (tariff.operator ? [tariff.operator.name] : [])))];

  const done = (tariff: Tariff | null) => {
    setSaved(tariff ? `Tariff ${tariff.shortCode} (${operatorName(tariff)}) saved.` : null);
    setEditing(null);
  };

  return (
    <>
      {saved && (
        <p className="notice notice--good" role="status">
          {saved}
        </p>
      )}
      {editing ? (
        <div className="subform">
          <h3>
            {editing === 'new'
              ? `New tariff in ${country.name}`
              : `Edit ${editing.shortCode} · ${operatorName(editing)}`}
          </h3>
          <TariffForm
            key={editing === 'new' ? 'new' : editing.id}
            country={country.code}
            currency={country.currency}
            operators={operators}
            tariff={editing === 'new' ? undefined : editing}
            onDone={done}
          />
        </div>
      ) : (
        <div className="button-row">
          <button
            type="button"
            className="button button--primary"
            onClick={() => {
              setSaved(null);
              setEditing('new');
            }}
          >
            New tariff
          </button>
        </div>
      )}
      <FormErrors messages={rowError ? [rowError] : []} />
      {!data ? (
        <QueryView query={query} refetch={refetch} />
      ) : (
        <DataTable<Tariff>
          caption={`Tariffs of ${country.name}`}
          rows={tariffs}
          rowKey={(tariff) => tariff.id}
          rowClassName={(tariff) => (tariff.active ? undefined : 'row--muted')}
          empty={`${country.name} has no tariffs yet.`}
          columns={[
            { header: 'Operator', render: operatorName, className: 'nowrap' },
            { header: 'Short code', render: (tariff) => <code>{tariff.shortCode}</code> },
            { header: 'Local price', render: (tariff) => <Money money={tariff.price} />, className: 'num' },
            { header: 'USD price', render: (tariff) => <Money money={tariff.priceUsd} />, className: 'num' },
            { header: 'Yield', render: (tariff) => <Money money={tariff.yieldUsd} />, className: 'num' },
            {
              header: 'Operator share',
              render: (tariff) => (tariff.operatorShareUsd ? <Money money={tariff.operatorShareUsd} /> : '—'),
              className: 'num',
            },
            {
              header: 'Platform fee',
              render: (tariff) => (tariff.platformFeeUsd ? <Money money={tariff.platformFeeUsd} /> : '—'),
              className: 'num',
            },
            {
              header: 'Status',
              render: (tariff) => (tariff.active ? <Badge tone="good">active</Badge> : <Badge>inactive</Badge>),
            },
            {
              header: '',
              className: 'actions',
              render: (tariff) => (
                <span className="row-actions">
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={`Edit ${tariff.shortCode} (${operatorName(tariff)})`}
                    onClick={() => {
                      setSaved(null);
                      setEditing(tariff);
                    }}
                  >
                    Edit
                  </button>
                  <TariffStatusActions tariff={tariff} onError={setRowError} />
                </span>
              ),
            },
          ]}
        />
      )}
    </>
  );
}

/** The countries of the catalogue: add one, rename it, change its currency, offer it or not. */
function Countries({
  countries,
  selected,
  onSelect,
}: {
  countries: readonly Country[];
  selected: string;
  onSelect: (code: string) => void;
}) {
  const [editing, setEditing] = useState<Country | 'new' | null>(null);
  return (
    <Card
      title="Countries"
      actions={
        !editing && (
          <button type="button" className="button button--small" onClick={() => setEditing('new')}>
            New country
          </button>
        )
      }
    >
      {editing && (
        <div className="subform">
          <h3>{editing === 'new' ? 'New country' : `Edit ${editing.name}`}</h3>
          <CountryForm
            key={editing === 'new' ? 'new' : editing.code}
            country={editing === 'new' ? undefined : editing}
            onDone={(country) => {
              setEditing(null);
              if (country) onSelect(country.code);
            }}
          />
        </div>
      )}
      <DataTable<Country>
        caption="Countries"
        rows={countries}
        rowKey={(country) => country.code}
        rowClassName={(country) =>
          [country.code === selected ? 'row--selected' : '', country.active ? '' : 'row--muted'].join(' ').trim() ||
          undefined
        }
        empty="No countries yet."
        columns={[
          {
            header: 'Country',
            render: (country) => (
              <button type="button" className="link-button" onClick={() => onSelect(country.code)}>
                {country.name} <code>{country.code}</code>
              </button>
            ),
          },
          { header: 'Currency', render: (country) => <code>{country.currency}</code> },
          {
            header: 'Payers',
            render: (country) => (country.active ? <Badge tone="good">offered</Badge> : <Badge>not offered</Badge>),
          },
          {
            header: '',
            className: 'actions',
            render: (country) => (
              <button
                type="button"
                className="button button--small"
                aria-label={`Edit ${country.name}`}
                onClick={() => setEditing(country)}
              >
                Edit
              </button>
            ),
          },
        ]}
      />
    </Card>
  );
}

/** Admin: the SMS tariff catalogue, per country, with CSV export and import. */
export function TariffsPage() {
  const [params, setParams] = useSearchParams();
  const [importing, setImporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const [query, refetch] = useQuery({ query: TariffCountriesDocument });
  const { data } = query;
  const countries = useFragment(CountryFields, data?.countries) ?? [];
  const code = params.get('country')?.toUpperCase() ?? countries[0]?.code ?? '';
  const country = countries.find((entry) => entry.code === code);
  const select = (next: string) => setParams({ country: next }, { replace: true });

  return (
    <Page
      title="Tariffs"
      description="What one SMS to a short code costs payers in each country, and how the USD price splits into the merchant's yield, the operator's share and the platform's fee."
      actions={
        <>
          <ExportCsvButton onError={setExportError} />
          <button type="button" className="button" aria-expanded={importing} onClick={() => setImporting((v) => !v)}>
            Import CSV
          </button>
        </>
      }
    >
      <FormErrors messages={exportError ? [exportError] : []} />
      {importing && (
        <Card title="Import tariffs from CSV">
          <CsvImport onClose={() => setImporting(false)} />
        </Card>
      )}
      {!data ? (
        <QueryView query={query} refetch={refetch} />
      ) : (
        <>
          <Card
            title={country ? `${country.name} · prices in ${country.currency}` : 'Tariffs'}
            actions={
              <label className="inline-select">
                <span>Country</span>
                <select value={code} onChange={(event) => select(event.target.value)}>
                  {countries.map((entry) => (
                    <option key={entry.code} value={entry.code}>
                      {entry.name}
                      {entry.active ? '' : ' (not offered)'}
                    </option>
                  ))}
                </select>
              </label>
            }
          >
            {country ? (
              <CountryTariffs key={country.code} country={country} />
            ) : (
              <p className="muted">Add a country below, or import a CSV, to start the catalogue.</p>
            )}
          </Card>
          <Countries countries={countries} selected={code} onSelect={select} />
        </>
      )}
    </Page>
  );
}
