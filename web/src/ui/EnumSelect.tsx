/**
 * A `<select>` over a fixed set of string values (agenda kinds, legal
 * frameworks, ...). Labelled either by a visible `<label for={id}>` or by
 * `label` as its accessible name; reports only values of the set.
 */
export function EnumSelect<T extends string>({
  options,
  isOption,
  labelOf,
  value,
  onChange,
  id,
  label,
}: {
  options: readonly T[];
  isOption: (value: string) => value is T;
  labelOf: (value: T) => string;
  value: T;
  onChange: (value: T) => void;
  id?: string;
  label?: string;
}) {
  return (
    <select
      {...(id ? { id } : { 'aria-label': label })}
      value={value}
      onChange={(e) => {
        const next = e.currentTarget.value;
        if (isOption(next)) onChange(next);
      }}
    >
      {options.map((option) => (
        <option key={option} value={option}>
          {labelOf(option)}
        </option>
      ))}
    </select>
  );
}
