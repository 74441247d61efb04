/**
 * Running the conference: the phase now, the next one, the countdown and
 * the lock of the current phase (writing cards, placing oneself, proposing
 * agreements). Every phone and the presenter follow what is set here.
 * Starting a phase opens its lock and closes the others (startPhase); the
 * buttons here change that by hand until the next phase starts. An info
 * phase has no lock of its own, so all three are offered then (say, to let
 * people finish their cards during the break), as before the first phase.
 * Each lock has its one control here, nowhere else.
 */
import { useState } from 'preact/hooks';
import {
  type Board,
  type Meta,
  endPhase,
  extendTimer,
  nextPhase,
  pauseTimer,
  resumeTimer,
  selectAgenda,
  selectPhase,
  setAgreementsOpen,
  setFocus,
  setPlacementsOpen,
  setWritingOpen,
  startTimer,
  stopTimer,
} from '../../board';
import { t } from '../../i18n';
import { Countdown } from '../../ui/timer';

const LOCK_KINDS = ['cards', 'cases', 'agreements'] as const;

function PhaseLock({ board, meta, kind }: { board: Board; meta: Meta; kind: 'cards' | 'cases' | 'agreements' }) {
  const open = kind === 'cards' ? meta.writingOpen : kind === 'cases' ? meta.placementsOpen : meta.agreementsOpen;
  const toggle = (): void => {
    if (kind === 'cards') setWritingOpen(board, !open);
    else if (kind === 'cases') setPlacementsOpen(board, !open);
    else setAgreementsOpen(board, !open);
  };
  return (
    <div class="lock-row">
      <p>
        {t(`run.lock.${kind}`)}: <strong>{open ? t('run.open') : t('run.closed')}</strong>
      </p>
      <button type="button" onClick={toggle}>
        {open ? t(`run.close.${kind}`) : t(`run.open.${kind}`)}
      </button>
    </div>
  );
}

export function RunPanel({ board, meta }: { board: Board; meta: Meta }) {
  const [minutes, setMinutes] = useState(10);
  const agenda = selectAgenda(board);
  const phase = selectPhase(board);
  const index = phase ? agenda.findIndex((item) => item.id === phase.id) : -1;
  const next = agenda[index + 1];
  const { timer } = meta;
  return (
    <section class="panel run-panel" aria-labelledby="run-heading">
      <h2 id="run-heading">{t('run.heading')}</h2>
      <p class="run-phase">
        {phase ? (
          <>
            <span class="phase-kind">{t(`agendaKind.${phase.kind}`)}</span> <strong>{phase.title}</strong>
          </>
        ) : (
          t('phase.none')
        )}
      </p>
      <p class="run-timer">
        <Countdown timer={timer} />
        {timer.state === 'none' && <span class="muted">{t('timer.none')}</span>}
      </p>
      <div class="button-row">
        {next ? (
          // The first phase is the step at hand before the conference; once
          // it runs, the phase's own action is (Block 1: "Karten aufdecken").
          <button type="button" class={phase ? '' : 'primary'} onClick={() => nextPhase(board)}>
            {t('run.next', { title: next.title })}
          </button>
        ) : (
          agenda.length === 0 && <p class="muted small">{t('run.noAgenda')}</p>
        )}
        {phase && (
          <button type="button" onClick={() => endPhase(board)}>
            {t('run.end')}
          </button>
        )}
      </div>
      <div class="button-row" role="group" aria-label={t('timer.label')}>
        {timer.state === 'running' && (
          <button type="button" onClick={() => pauseTimer(board)}>
            {t('timer.pause')}
          </button>
        )}
        {timer.state === 'paused' && (
          <button type="button" onClick={() => resumeTimer(board)}>
            {t('timer.resume')}
          </button>
        )}
        {timer.state !== 'none' && (
          <>
            <button type="button" onClick={() => extendTimer(board, 60_000)}>
              {t('timer.plusMinute')}
            </button>
            <button type="button" onClick={() => extendTimer(board, -60_000)}>
              {t('timer.minusMinute')}
            </button>
            <button type="button" onClick={() => stopTimer(board)}>
              {t('timer.stop')}
            </button>
          </>
        )}
      </div>
      {timer.state === 'none' && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            startTimer(board, minutes * 60_000);
          }}
        >
          <label for="timer-minutes">{t('timer.minutes')}</label>
          <input
            id="timer-minutes"
            type="number"
            min={1}
            max={600}
            value={minutes}
            onInput={(e) => setMinutes(Math.min(600, Math.max(1, Number(e.currentTarget.value) || 1)))}
          />
          <button type="submit">{t('timer.start')}</button>
        </form>
      )}
      {phase === null || phase.kind === 'info'
        ? LOCK_KINDS.map((kind) => <PhaseLock key={kind} board={board} meta={meta} kind={kind} />)
        : <PhaseLock board={board} meta={meta} kind={phase.kind} />}
      <div class="button-row">
        <button type="button" aria-pressed={meta.focus.kind === 'agenda'} onClick={() => setFocus(board, { kind: 'agenda' })}>
          {t('run.showAgenda')}
        </button>
      </div>
    </section>
  );
}
