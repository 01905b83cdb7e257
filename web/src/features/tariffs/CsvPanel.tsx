import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useClient, useMutation } from 'urql';
import { graphql } from '../../gql';
import type { ImportTariffsCsvMutation } from '../../gql/graphql';
import { Field, FormErrors } from '../../app/components/Field';

const ExportTariffsCsvDocument = graphql(`
  query ExportTariffsCsv {
    exportTariffsCsv
  }
`);

const ImportTariffsCsvDocument = graphql(`
  mutation ImportTariffsCsv($input: ImportTariffsCsvInput!) {
    importTariffsCsv(input: $input) {
      summary {
        rows
        created
        updated
        unchanged
        deactivated
        countriesCreated
        countriesUpdated
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`);

/** Hands `text` to the browser as a file download. */
function download(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the object URL is not needed after this task.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** "Export CSV": the whole active catalogue, fetched fresh and saved as a dated file. */
export function ExportCsvButton({
  onError,
  label = 'Export CSV',
}: {
  onError: (message: string | null) => void;
  label?: string;
}) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    onError(null);
    const result = await client.query(ExportTariffsCsvDocument, {}, { requestPolicy: 'network-only' }).toPromise();
    setBusy(false);
    if (result.data)
      download(result.data.exportTariffsCsv, `tollgate-tariffs-${new Date().toISOString().slice(0, 10)}.csv`);
    else onError(result.error?.message ?? 'The export failed.');
  };
  return (
    <button type="button" className="button" disabled={busy} onClick={() => void run()}>
      {busy ? 'Exporting…' : label}
    </button>
  );
}

type ImportPayload = ImportTariffsCsvMutation['importTariffsCsv'];
type ImportSummary = NonNullable<ImportPayload['summary']>;

/** The file line a userError names (field ["input", "csv", "line N"]), if any. */
function lineOf(error: ImportPayload['userErrors'][number]): string | null {
  return /^line \d+$/.test(error.field?.[2] ?? '') ? (error.field?.[2] ?? null) : null;
}

/** The server's messages may start with their line too ("line 3: …"); the list says it once. */
function withoutLine(message: string): string {
  return message.replace(/^line \d+:\s*/i, '');
}

function Summary({ summary }: { summary: ImportSummary }) {
  const parts = [
    `${summary.created} created`,
    `${summary.updated} updated`,
    `${summary.unchanged} unchanged`,
    ...(summary.deactivated ? [`${summary.deactivated} deactivated`] : []),
    ...(summary.countriesCreated ? [`${summary.countriesCreated} countries added`] : []),
    ...(summary.countriesUpdated ? [`${summary.countriesUpdated} countries changed`] : []),
  ];
  return (
    <p className="notice notice--good" role="status">
      Imported {summary.rows} rows: {parts.join(', ')}.
    </p>
  );
}

/**
 * "Import CSV": paste the file or load it. The server checks every line first; if any is bad it lists them all and
 * changes nothing, so the list here is the whole story.
 */
export function CsvImport({ onClose }: { onClose: () => void }) {
  const [csv, setCsv] = useState('');
  const [replace, setReplace] = useState(false);
  const [fileError, setFileError] = useState<string | null>(null);
  const [result, importCsv] = useMutation(ImportTariffsCsvDocument);
  const payload = result.data?.importTariffsCsv;
  const lineErrors = (payload?.userErrors ?? []).filter((error) => lineOf(error));
  const otherErrors = (payload?.userErrors ?? []).filter((error) => !lineOf(error)).map((error) => error.message);

  const load = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    try {
      setCsv(await file.text());
      setFileError(null);
    } catch {
      setFileError(`${file.name} could not be read.`);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await importCsv({ input: { csv, replace } });
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-label="Import tariffs">
      <FormErrors
        messages={[...otherErrors, ...(fileError ? [fileError] : []), ...(result.error ? [result.error.message] : [])]}
      />
      {lineErrors.length > 0 && (
        <div className="form-errors csv-errors" role="alert">
          <p>
            Nothing was imported: {lineErrors.length === 1 ? 'one line is' : `${lineErrors.length} lines are`} bad. Fix{' '}
            {lineErrors.length === 1 ? 'it' : 'them'} and import again.
          </p>
          <ul>
            {lineErrors.map((error) => (
              <li key={`${lineOf(error)}-${error.message}`}>
                <strong>{lineOf(error)?.replace('line', 'Line')}:</strong> {withoutLine(error.message)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {payload?.summary && <Summary summary={payload.summary} />}
      <Field
        label="CSV"
        hint="Header row: country, country_name, currency, operator, short_code, price, price_usd, yield_usd, operator_share_usd, platform_fee_usd — as Export CSV writes it."
      >
        {(props) => (
          <textarea
            {...props}
            name="csv"
            className="csv-input"
            rows={10}
            spellCheck={false}
            value={csv}
            onChange={(event) => setCsv(event.target.value)}
          />
        )}
      </Field>
      <Field label="Or load a file">
        {(props) => <input {...props} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void load(e)} />}
      </Field>
      <label className="checkbox-line">
        <input type="checkbox" checked={replace} onChange={(event) => setReplace(event.target.checked)} />
        Replace the catalogue: deactivate active tariffs the file leaves out
      </label>
      <div className="form__actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
        <button type="submit" className="button button--primary" disabled={result.fetching || !csv.trim()}>
          {result.fetching ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}
