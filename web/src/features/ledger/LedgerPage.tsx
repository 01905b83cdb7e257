import { Page } from '../../app/components/Page';
import { LedgerEntries } from './LedgerEntries';

/** The merchant's side of the ledger: every entry on its accounts. */
export function LedgerPage() {
  return (
    <Page
      title="Ledger"
      description="Every movement of your money, as double-entry ledger entries. Credits are positive, debits negative."
    >
      <LedgerEntries />
    </Page>
  );
}
