import { useEffect, useState } from 'preact/hooks';
import { type Timer, timeLeft } from '../board';
import { t } from '../i18n';

/** The current time, refreshed every `intervalMs` while `active`. */
export function useNow(intervalMs: number, active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (!active) return;
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs, active]);
  return now;
}

/** "mm:ss", or "h:mm:ss" from an hour on; seconds rounded up (0:00 only at the end). */
export function formatCountdown(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${String(minutes).padStart(2, '0')}:${seconds}`;
}

/**
 * The countdown every screen shows, computed from the stored end time and
 * this device's clock (nothing is written while it runs). `role="timer"` is
 * not announced on every tick; the end is announced once.
 */
export function Countdown({ timer, class: className }: { timer: Timer; class?: string }) {
  const now = useNow(250, timer.state === 'running');
  const left = timeLeft(timer, now);
  if (left === null) return null;
  const over = left === 0;
  return (
    <span class={`countdown${over ? ' countdown-over' : ''}${timer.state === 'paused' ? ' countdown-paused' : ''} ${className ?? ''}`}>
      <span class="sr-only">{t('timer.label')}: </span>
      <span role="timer" class="countdown-value" data-remaining-ms={left}>
        {formatCountdown(left)}
      </span>
      {timer.state === 'paused' && <span class="countdown-note"> {t('timer.paused')}</span>}
      <span class="sr-only" aria-live="polite">
        {over ? t('timer.over') : ''}
      </span>
      {over && (
        <span class="countdown-note" aria-hidden="true">
          {' '}
          {t('timer.over')}
        </span>
      )}
    </span>
  );
}
