import type { InputHTMLAttributes } from 'react';
import { parseAmountInput, parseSignedAmountInput } from '../amount';

/**
 * An amount typed in the merchant's convention ("12,50" or "12.50"). It keeps what was typed while the field has the
 * focus and shows the canonical form ("12.50") once it leaves; the form sends `parseAmountInput(value)`
 * (`parseSignedAmountInput` with `signed`, where a minus is meaningful).
 */
export function AmountInput({
  value,
  onChange,
  signed = false,
  ...props
}: {
  value: string;
  onChange: (value: string) => void;
  signed?: boolean;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'>) {
  return (
    <input
      {...props}
      type="text"
      // Phone keypads for decimals have no minus sign.
      inputMode={signed ? 'text' : 'decimal'}
      autoComplete="off"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      onBlur={(event) => {
        const canonical = signed ? parseSignedAmountInput(value) : parseAmountInput(value);
        if (canonical !== null && canonical !== value) onChange(canonical);
        props.onBlur?.(event);
      }}
    />
  );
}
