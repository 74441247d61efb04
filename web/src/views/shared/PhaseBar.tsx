import { type Board, selectMeta, selectPhase } from '../../board';
import { t } from '../../i18n';
import { Countdown } from '../../ui/timer';

/**
 * The phase running now and its countdown, on phones, the presenter and the
 * watch view. Nothing when no phase runs and no countdown is set.
 */
export function PhaseBar({ board, large = false }: { board: Board; large?: boolean }) {
  const phase = selectPhase(board);
  const { timer } = selectMeta(board);
  if (phase === null && timer.state === 'none') return null;
  return (
    <section class={`phase-bar${large ? ' phase-bar-large' : ''}`} aria-label={t('phase.current')}>
      <span class="phase-bar-title">
        {phase ? (
          <>
            <span class="phase-kind">{t(`agendaKind.${phase.kind}`)}</span> {phase.title}
          </>
        ) : (
          t('phase.none')
        )}
      </span>
      <Countdown timer={timer} />
    </section>
  );
}
