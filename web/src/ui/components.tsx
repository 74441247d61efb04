import type { ComponentChildren } from 'preact';
import type { CardKind, Colour, Sector } from '../board';
import type { ConnectionState } from '../sync/connection';
import { locale, setLocale, t, useLocale } from '../i18n';
import { deniedText } from './errors';

export function LanguageSwitch() {
  const current = useLocale();
  const next = current === 'de' ? 'en' : 'de';
  return (
    <button
      type="button"
      class="link-button"
      lang={next}
      aria-label={t('app.switchLanguageLabel')}
      onClick={() => setLocale(next)}
    >
      {t('app.switchLanguage')}
    </button>
  );
}

/** Failed attempts in a row after which we suggest checking the link. */
export const TROUBLE_AFTER = 5;

/** Why the server closed for good (docs/protocol.md, close codes), in words. */
export function refusedText(code: number | undefined): string {
  if (code === 4401) return t('status.revoked');
  if (code === 4403) return t('status.tooManyRefused');
  if (code === 4404) return t('status.deleted');
  return t('status.refused');
}

/** Online/offline state in plain words; a live region so screen readers hear changes. */
export function ConnectionStatus({ state, compact = false }: { state: ConnectionState; compact?: boolean }) {
  useLocale();
  let text: string;
  if (state.status === 'refused') {
    text = refusedText(state.refused?.code);
  } else if (state.status === 'online') text = t('status.online');
  else if (state.status === 'offline') {
    text = compact ? t('status.offlineShort') : state.storesLocally ? t('status.offline') : t('status.offlineNotStored');
  }
  else text = t('status.connecting');
  return (
    <div class={`status status-${state.status}`} role="status" aria-live="polite">
      <span class="status-dot" aria-hidden="true" />
      <span>{text}</span>
      {state.denied !== null && <span class="status-denied">{deniedText(state.denied)}</span>}
      {state.failedAttempts >= TROUBLE_AFTER && state.status !== 'online' && state.status !== 'refused' && !compact && (
        <span class="status-denied">{t('status.trouble')}</span>
      )}
    </div>
  );
}

export function TopBar({ title, children }: { title: string; children?: ComponentChildren }) {
  useLocale();
  return (
    <header class="topbar">
      <div class="topbar-title">
        <span class="brand">{t('app.name')}</span>
        {/* The board's name is the page's main heading in every board view. */}
        {title && <h1 class="topbar-board">{title}</h1>}
      </div>
      <div class="topbar-actions">
        {children}
        <LanguageSwitch />
      </div>
    </header>
  );
}

export function KindTag({ kind }: { kind: CardKind }) {
  return <span class={`tag kind-${kind}`}>{t(`kind.${kind}`)}</span>;
}

export function SectorTag({ sector, count }: { sector: Sector; count?: number }) {
  return (
    <span class={`tag sector-${sector}`}>
      {t(`sector.${sector}`)}
      {count !== undefined && count > 1 ? ` ×${count}` : ''}
    </span>
  );
}

export function colourClass(colour: Colour): string {
  return `colour-${colour}`;
}

/** Formats an ISO date (YYYY-MM-DD) for the current locale. */
export function formatDate(date: string | null): string {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return date ?? '';
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(locale.get() === 'de' ? 'de-DE' : 'en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
}

/**
 * The two choices for something the server did not accept (a returned card
 * or proposal): write it again (only while writing is open) or let it go.
 */
export function ReturnedActions({ open, againLabel, onAgain, onDiscard }: { open: boolean; againLabel: string; onAgain: () => void; onDiscard: () => void }) {
  return (
    <div class="button-row">
      {open && (
        <button type="button" class="primary" onClick={onAgain}>
          {againLabel}
        </button>
      )}
      <button type="button" onClick={onDiscard}>
        {t('participant.discardReturned')}
      </button>
    </div>
  );
}
