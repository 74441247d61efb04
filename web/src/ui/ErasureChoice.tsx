/**
 * The confirmation of an erasure (docs/protocol.md, "Erasing a person"),
 * the same on the phone ("Meine Daten löschen") and in the moderator's
 * participant list: what goes, and the one choice there is, whether the
 * cards stay without the name.
 */
import { useState } from 'preact/hooks';
import { t } from '../i18n';

let next = 0;

export function ErasureChoice({
  own,
  name,
  busy,
  onConfirm,
  onCancel,
}: {
  /** The person erases themself (else the moderator erases `name`). */
  own: boolean;
  name?: string;
  busy: boolean;
  onConfirm: (keepCards: boolean) => void;
  onCancel: () => void;
}) {
  const [keepCards, setKeepCards] = useState(false);
  const [group] = useState(() => `erasure-${++next}`);
  return (
    <fieldset class="erasure-choice">
      <legend>{own ? t('erasure.legendOwn') : t('erasure.legend', { name: name ?? '' })}</legend>
      <p class="small">{own ? t('erasure.whatOwn') : t('erasure.what')}</p>
      <label>
        <input type="radio" name={group} checked={!keepCards} onChange={() => setKeepCards(false)} /> {t('erasure.everything')}
      </label>
      <label>
        <input type="radio" name={group} checked={keepCards} onChange={() => setKeepCards(true)} /> {own ? t('erasure.keepCardsOwn') : t('erasure.keepCards')}
      </label>
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={() => onConfirm(keepCards)}>
          {t('erasure.confirm')}
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          {t('erasure.cancel')}
        </button>
      </div>
    </fieldset>
  );
}
