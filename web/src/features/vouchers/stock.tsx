import { Badge, type Tone } from '../../app/components/Badge';

export const KIND_LABELS: Record<string, string> = {
  PIN: 'PIN code',
  LOGIN: 'Login and password',
  LINK: 'Activation link',
};

export const CSV_HINTS: Record<string, string> = {
  PIN: 'One code per line.',
  LOGIN: 'One "login,password" per line.',
  LINK: 'One http(s) link per line.',
};

export interface StockCounts {
  available: number;
  reserved: number;
  sold: number;
  withdrawn: number;
  prepaid: number;
}

/** A project's stock in one line; the numbers carry test ids so checks need not parse prose. */
export function StockSummary({ stock, unfulfilled = 0 }: { stock: StockCounts; unfulfilled?: number }) {
  return (
    <span className="tags">
      <Badge tone={stock.available > 0 ? 'good' : 'warn'}>
        <span data-testid="stock-available">{stock.available}</span> available
      </Badge>
      <Badge tone="info">
        <span data-testid="stock-reserved">{stock.reserved}</span> reserved
      </Badge>
      <Badge>
        <span data-testid="stock-sold">{stock.sold}</span> sold
      </Badge>
      {stock.withdrawn > 0 && <Badge>{stock.withdrawn} withdrawn</Badge>}
      {stock.prepaid > 0 && <Badge tone="info">{stock.prepaid} prepaid</Badge>}
      {unfulfilled > 0 && <Badge tone="bad">{unfulfilled} to resolve</Badge>}
    </span>
  );
}

const ORDER_TONES: Record<string, Tone> = {
  RESERVED: 'info',
  RELEASED: 'neutral',
  SOLD: 'good',
  UNFULFILLED: 'bad',
  REFUNDED: 'warn',
};

const ORDER_LABELS: Record<string, string> = {
  RESERVED: 'Paying',
  RELEASED: 'Reservation lapsed',
  SOLD: 'Sold',
  UNFULFILLED: 'Paid, no voucher: resolve',
  REFUNDED: 'Refunded',
};

/** An order's state in words, as its badge shows it. */
export function orderStateLabel(state: string): string {
  return ORDER_LABELS[state] ?? state;
}

/** The order states a sales list can be filtered by, in the order a seller thinks of them. */
export const ORDER_STATES = (['RESERVED', 'SOLD', 'UNFULFILLED', 'REFUNDED', 'RELEASED'] as const).map((value) => ({
  value,
  label: ORDER_LABELS[value],
}));

export function OrderStateBadge({ state }: { state: string }) {
  return <Badge tone={ORDER_TONES[state] ?? 'neutral'}>{orderStateLabel(state)}</Badge>;
}
