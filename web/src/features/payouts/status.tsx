import { Badge, type Tone } from '../../app/components/Badge';

const WITHDRAWAL: Record<string, { label: string; tone: Tone }> = {
  REQUESTED: { label: 'Waiting for the code', tone: 'warn' },
  CONFIRMED: { label: 'Confirmed', tone: 'info' },
  APPROVED: { label: 'Approved', tone: 'info' },
  IN_BATCH: { label: 'Sent to the bank', tone: 'info' },
  PAID: { label: 'Paid', tone: 'good' },
  REJECTED: { label: 'Rejected', tone: 'bad' },
  CANCELLED: { label: 'Cancelled', tone: 'neutral' },
  RETURNED: { label: 'Returned', tone: 'bad' },
};

const DESTINATION: Record<string, { label: string; tone: Tone }> = {
  PENDING: { label: 'Waiting for the code', tone: 'warn' },
  ACTIVE: { label: 'Active', tone: 'good' },
  REPLACED: { label: 'Replaced', tone: 'neutral' },
  REMOVED: { label: 'Removed', tone: 'neutral' },
};

/** A withdrawal's status in words, as its badge shows it. */
export function withdrawalStatusLabel(status: string): string {
  return WITHDRAWAL[status]?.label ?? status;
}

/** The statuses a withdrawals list can be filtered by, with their labels. */
export const WITHDRAWAL_STATUSES = Object.entries(WITHDRAWAL).map(([value, shown]) => ({ value, label: shown.label }));

export function WithdrawalStatusBadge({ status }: { status: string }) {
  const shown = WITHDRAWAL[status] ?? { label: status, tone: 'neutral' as const };
  return <Badge tone={shown.tone}>{shown.label}</Badge>;
}

export function DestinationStatusBadge({ status }: { status: string }) {
  const shown = DESTINATION[status] ?? { label: status, tone: 'neutral' as const };
  return <Badge tone={shown.tone}>{shown.label}</Badge>;
}

export const RAIL_LABELS: Record<string, string> = {
  SEPA: 'SEPA credit transfer (XML)',
  BANK: 'Bank transfer (CSV)',
  CARD: 'Card payout (CSV)',
  EWALLET: 'E-wallet (CSV)',
};

export interface DestinationView {
  kind: string;
  label?: string | null;
  holderName: string;
  iban?: string | null;
  bic?: string | null;
  cardBrand?: string | null;
  cardLast4?: string | null;
  walletProvider?: string | null;
  walletId?: string | null;
}

/** An IBAN as people read it: groups of four. */
export function groupIban(iban: string): string {
  return iban.replace(/(.{4})(?=.)/g, '$1 ');
}

/** Where the money goes, in one line: "IBAN DE89 3704 … (COBADEFFXXX)", "VISA •••• 4242", "paypal shop@…". */
export function describeDestination(destination: DestinationView): string {
  const name = destination.label ? `${destination.label}: ` : '';
  switch (destination.kind) {
    case 'BANK_ACCOUNT':
      return `${name}IBAN ${groupIban(destination.iban ?? '')}${destination.bic ? ` (${destination.bic})` : ''}`;
    case 'CARD':
      return `${name}${destination.cardBrand ?? 'Card'} •••• ${destination.cardLast4 ?? '????'}`;
    case 'EWALLET':
      return `${name}${destination.walletProvider ?? 'E-wallet'} ${destination.walletId ?? ''}`.trim();
    default:
      return `${name}${destination.kind}`;
  }
}

/** Saves a text file the API gave (a bank file) as a download. */
export function downloadText(fileName: string, contentType: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: contentType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the file over.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
