import type { InputHTMLAttributes } from 'react';
import { parseAmountInput } from '../amount';

/**
 * An amount typed in the merchant's convention ("12,50" or "12.50"). It keeps what was typed while the field has the
 * focus and shows the canonical form ("12.50") once it leaves; the form sends `parseAmountInput(value)`.
 */
export function AmountInput({
  value,
  onChange,
  ...props
}: {
  value: string;
  onChange: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'>) {
  return (
    <input
      {...props}
      type="text"
      inputMode="decimal"
      autoComplete="off"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      onBlur={(event) => {
        const canonical = parseAmountInput(value);
        if (canonical !== null && canonical !== value) onChange(canonical);
        props.onBlur?.(event);
      }}
    />
  );
}
