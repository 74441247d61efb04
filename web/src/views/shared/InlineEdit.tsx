import { useState } from 'preact/hooks';

/**
 * A text field showing a value from the doc that the user can change.
 * While focused it keeps its own draft, so a remote update arriving mid-typing
 * does not overwrite what is being typed; Enter or leaving the field commits,
 * Escape goes back to the stored value.
 */
export function InlineEdit({
  value,
  label,
  onCommit,
  maxLength,
  class: className,
}: {
  value: string;
  label: string;
  onCommit: (next: string) => void;
  maxLength?: number;
  class?: string;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const commit = (): void => {
    if (draft !== null && draft.trim() && draft.trim() !== value) onCommit(draft.trim());
    setDraft(null);
  };
  return (
    <input
      class={className ?? 'inline-edit'}
      aria-label={label}
      value={draft ?? value}
      {...(maxLength !== undefined ? { maxLength } : {})}
      enterkeyhint="done"
      onFocus={() => setDraft(value)}
      onInput={(e) => setDraft(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          e.currentTarget.blur();
        } else if (e.key === 'Escape') {
          setDraft(value);
          const target = e.currentTarget;
          requestAnimationFrame(() => target.blur());
        }
      }}
    />
  );
}
