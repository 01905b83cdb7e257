import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql';
import type { MerchantTariffYieldsQuery } from '../../gql/graphql';
import { DataTable, type Column } from '../../app/components/DataTable';
import { Money } from '../../app/components/Money';
import { Card, Page } from '../../app/components/Page';
import { QueryView } from '../../app/components/QueryView';
import { SelectFilter } from '../../app/components/SelectFilter';
import { csvMoney, saveCsv, toCsv, type CsvColumn } from '../../app/csv';
import { useUrlFilters } from '../../app/useUrlFilters';
import { ExportCsvButton } from './CsvPanel';

const MerchantTariffYieldsDocument = graphql(`
  query MerchantTariffYields($country: String) {
    tariffYields(country: $country) {
      feePlanName
      rows {
        tariffId
        country {
          code
          name
        }
        operator
        shortCode
        price {
          amount
          currency
        }
        gross {
          amount
          currency
        }
        operatorShare {
          amount
          currency
        }
        platformFee {
          amount
          currency
        }
        net {
          amount
          currency
        }
      }
    }
  }
`);

const ServedCountriesDocument = graphql(`
  query ServedCountries {
    countries {
      code
      name
    }
  }
`);

type YieldRow = MerchantTariffYieldsQuery['tariffYields']['rows'][number];

const countryLabel = (row: YieldRow) => `${row.country.name} (${row.country.code})`;
const operatorLabel = (row: YieldRow) => row.operator ?? 'All operators';

const columns: Column<YieldRow>[] = [
  { header: 'Country', render: countryLabel },
  { header: 'Operator', render: operatorLabel },
  { header: 'Short code', render: (row) => <code>{row.shortCode}</code>, className: 'nowrap' },
  { header: 'Payer pays', render: (row) => <Money money={row.price} />, className: 'num' },
  { header: 'Gross', render: (row) => <Money money={row.gross} />, className: 'num' },
  { header: 'Operator share', render: (row) => <Money money={row.operatorShare} />, className: 'num' },
  { header: 'Platform fee', render: (row) => <Money money={row.platformFee} />, className: 'num' },
  { header: 'Your net', render: (row) => <Money money={row.net} />, className: 'num' },
];

// The table's columns as text, as the cells show them.
const csvColumns: CsvColumn<YieldRow>[] = [
  { header: 'Country', value: countryLabel },
  { header: 'Operator', value: operatorLabel },
  { header: 'Short code', value: (row) => row.shortCode },
  { header: 'Payer pays', value: (row) => csvMoney(row.price) },
  { header: 'Gross', value: (row) => csvMoney(row.gross) },
  { header: 'Operator share', value: (row) => csvMoney(row.operatorShare) },
  { header: 'Platform fee', value: (row) => csvMoney(row.platformFee) },
  { header: 'Your net', value: (row) => csvMoney(row.net) },
];

/**
 * Tariffs as the merchant meets them: for every active country, operator and short code, what the payer pays and
 * what one SMS settles to under the merchant's fee plan (the server computes it as settlement books an SMS). The
 * country filter is in the URL; "Download CSV" saves exactly the rows shown, "Full tariff table" the catalogue's CSV.
 */
export function MerchantTariffsPage() {
  const filters = useUrlFilters(['country'] as const);
  const [countriesQuery] = useQuery({ query: ServedCountriesDocument });
  const countries = countriesQuery.data?.countries ?? [];
  // A hand-edited or outdated link's country the catalogue does not serve reads as "all countries".
  const country = countries.some((entry) => entry.code === filters.values.country) ? filters.values.country : '';
  const variables = useMemo(() => ({ country: country || null }), [country]);
  const [query, refetch] = useQuery({
    query: MerchantTariffYieldsDocument,
    variables,
    // Wait for the countries, so a link's country is checked before the first request.
    pause: countriesQuery.fetching && !countriesQuery.data,
  });
  const [exportError, setExportError] = useState<string | null>(null);
  const rows = query.data?.tariffYields.rows ?? [];

  return (
    <Page
      title="Tariffs"
      description="What payers pay for one SMS to each short code, and what it yields you after the operator's share and the platform fee."
      actions={<ExportCsvButton onError={setExportError} label="Download full tariff table" />}
    >
      {exportError && (
        <p className="field__error" role="alert">
          {exportError}
        </p>
      )}
      <Card title="Your yield per SMS">
        <div className="toolbar" role="search" aria-label="Filter tariffs">
          <SelectFilter
            label="Country"
            anyLabel="All countries"
            value={country}
            options={countries.map((entry) => ({ value: entry.code, label: `${entry.name} (${entry.code})` }))}
            onChange={(value) => filters.set({ country: value })}
          />
          <button
            type="button"
            className="button button--small"
            disabled={!query.data || query.fetching}
            onClick={() =>
              saveCsv(country ? `tariff-yields-${country}.csv` : 'tariff-yields.csv', toCsv(csvColumns, rows))
            }
          >
            Download CSV
          </button>
        </div>
        <QueryView query={query} refetch={refetch}>
          {(data) => (
            <>
              <p className="muted small">
                Fees under your plan “{data.tariffYields.feePlanName}”: the platform fee on an SMS is set by its tariff.
                Amounts after the payer’s price are in USD, as your balance receives them.
              </p>
              <DataTable<YieldRow>
                caption="Yield per SMS by tariff"
                rows={data.tariffYields.rows}
                rowKey={(row) => row.tariffId}
                empty="No tariffs in this country."
                columns={columns}
              />
            </>
          )}
        </QueryView>
      </Card>
    </Page>
  );
}
