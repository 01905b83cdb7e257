/** One filter of a list's toolbar: a labelled select whose empty choice means "any". */
export function SelectFilter<V extends string>({
  label,
  anyLabel,
  value,
  options,
  onChange,
}: {
  label: string;
  anyLabel: string;
  value: V | '';
  options: readonly { value: V; label: string }[];
  onChange: (value: V | '') => void;
}) {
  return (
    <label className="toolbar__field">
      <span>{label}</span>
      <select value={value} onChange={(event) => onChange(event.target.value as V | '')}>
        <option value="">{anyLabel}</option>
        {options.map((entry) => (
          <option key={entry.value} value={entry.value}>
            {entry.label}
          </option>
        ))}
      </select>
    </label>
  );
}
