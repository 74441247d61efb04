import { useState } from 'preact/hooks';

/**
 * A text field showing a value from the doc that the user can change.
 * While focused it keeps its own draft, so a remote update arriving mid-typing
 * does not overwrite what is being typed; Enter (in a multi-line field:
 * leaving it) or leaving the field commits, Escape goes back to the stored
 * value.
 */
export function InlineEdit({
  value,
  label,
  onCommit,
  maxLength,
  class: className,
  multiline = false,
  wrap = false,
  allowEmpty = false,
  placeholder,
  id,
  rows = 3,
}: {
  value: string;
  label: string;
  onCommit: (next: string) => void;
  maxLength?: number;
  class?: string;
  /** A textarea where Enter makes a new line (stories, notes). */
  multiline?: boolean;
  /**
   * One line of text that wraps instead of being cut (a cluster's title in
   * a narrow column): a textarea of one row that grows with its text
   * (`field-sizing: content`); Enter commits as in a single-line field.
   */
  wrap?: boolean;
  /** An empty value is a valid value (e.g. an agreement's "who"). */
  allowEmpty?: boolean;
  placeholder?: string;
  /** For a visible `<label for>` next to the field. */
  id?: string;
  /** Height of a multi-line field. */
  rows?: number;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const commit = (): void => {
    if (draft !== null && (allowEmpty || draft.trim()) && draft.trim() !== value) onCommit(draft.trim());
    setDraft(null);
  };
  const common = {
    class: className ?? 'inline-edit',
    'aria-label': label,
    value: draft ?? value,
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(placeholder !== undefined ? { placeholder } : {}),
    ...(id !== undefined ? { id } : {}),
    onFocus: () => setDraft(value),
    onBlur: commit,
  };
  if (multiline) {
    return (
      <textarea
        {...common}
        rows={rows}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            setDraft(value);
            const target = e.currentTarget;
            requestAnimationFrame(() => target.blur());
          }
        }}
      />
    );
  }
  const singleLineKeys = (e: KeyboardEvent & { currentTarget: HTMLInputElement | HTMLTextAreaElement }): void => {
    if (e.key === 'Enter') {
      e.preventDefault();
      e.currentTarget.blur();
    } else if (e.key === 'Escape') {
      setDraft(value);
      const target = e.currentTarget;
      requestAnimationFrame(() => target.blur());
    }
  };
  if (wrap) {
    return (
      <textarea
        {...common}
        rows={1}
        enterkeyhint="done"
        // A pasted line break becomes a space: a title is one line.
        onInput={(e) => setDraft(e.currentTarget.value.replace(/[\r\n]+/g, ' '))}
        onKeyDown={singleLineKeys}
      />
    );
  }
  return <input {...common} enterkeyhint="done" onInput={(e) => setDraft(e.currentTarget.value)} onKeyDown={singleLineKeys} />;
}
