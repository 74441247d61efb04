import { useState } from 'preact/hooks';
import {
  type Board,
  type Group,
  LIMITS,
  type Meta,
  type Participant,
  addToGroups,
  assignGroup,
  createGroup,
  deleteGroup,
  formGroups,
  renameGroup,
  selectMeta,
  setFocus,
  setRevealed,
  startVoting,
  stopVoting,
} from '../../board';
import { t, tIn, tn } from '../../i18n';
import type { ModeratorLinks } from '../../sync/credentials';
import { apiFailureText } from '../../ui/errors';
import { SectorTag, colourClass } from '../../ui/components';
import { formatJoinCode } from '../../ui/join-code';
import { ErasureChoice } from '../../ui/ErasureChoice';
import { QrCode } from '../../ui/qr';
import { InlineEdit } from '../shared/InlineEdit';

/** The moderator's HTTP actions on the board's access (docs/protocol.md). */
export interface Access {
  /** A new join code; the old one stops working. */
  rotateJoinCode(): Promise<void>;
  /** A new presenter link; screens with the old one are closed. */
  newPresenterLink(): Promise<void>;
  /**
   * Erases a participant for real, on their request (docs/protocol.md,
   * "Erasing a person"); with `keepCards` their cards stay without a name.
   */
  erase(participant: Participant, keepCards: boolean): Promise<void>;
}

/** Runs one access action: busy while it runs, the failure said in words. */
function useAction(): { busy: boolean; error: string | null; run: (action: () => Promise<void>) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (action: () => Promise<void>): void => {
    if (busy) return;
    setBusy(true);
    setError(null);
    action().then(
      () => setBusy(false),
      (failure: unknown) => {
        setBusy(false);
        setError(apiFailureText(failure));
      },
    );
  };
  return { busy, error, run };
}

export function JoinPanel({
  links,
  joinCode,
  participants,
  access,
}: {
  links: ModeratorLinks | null;
  joinCode: string | null;
  participants: number;
  access: Access;
}) {
  const { busy, error, run } = useAction();
  // The board's join code (meta) is the current one; the stored links may be
  // from before a rotation on another device.
  const code = joinCode ?? links?.join_code ?? null;
  const joinUrl = code === null ? null : links?.join_code === code ? links.join_url : `${location.origin}/join/${code}`;
  const watchUrl = links ? `${location.origin}/b/${links.board}/watch#token=${encodeURIComponent(links.viewer_token)}` : null;
  return (
    <section class="panel" aria-labelledby="join-heading">
      <h2 id="join-heading">{t('moderator.joinHeading')}</h2>
      {joinUrl && <QrCode value={joinUrl} label={t('moderator.joinQrLabel', { url: joinUrl })} size={200} />}
      {code && <p class="join-code">{t('moderator.joinCode', { code: formatJoinCode(code) })}</p>}
      {joinUrl && (
        <p class="small">
          <a href={joinUrl}>{joinUrl}</a>
        </p>
      )}
      {links ? (
        <ul class="plain-list">
          {watchUrl && (
            <li>
              <a href={watchUrl} target="_blank" rel="noopener">
                {t('moderator.watchLink')}
              </a>
            </li>
          )}
        </ul>
      ) : (
        <p class="muted small">{t('moderator.linksMissing')}</p>
      )}
      <p>{tn('moderator.participants', participants)}</p>
      <details class="access">
        <summary>{t('access.heading')}</summary>
        <div class="button-row">
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              if (window.confirm(t('access.rotateCodeConfirm'))) run(() => access.rotateJoinCode());
            }}
          >
            {t('access.rotateCode')}
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              if (!links || window.confirm(t('access.newPresenterConfirm'))) run(() => access.newPresenterLink());
            }}
          >
            {links ? t('access.renewPresenter') : t('access.newPresenter')}
          </button>
        </div>
        {error !== null && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </details>
    </section>
  );
}

export function PhasePanel({ board, meta }: { board: Board; meta: Meta }) {
  const [budget, setBudget] = useState(3);
  const focusButton = (kind: 'overview' | 'groups' | 'votes', label: string) => (
    <button type="button" aria-pressed={meta.focus.kind === kind} onClick={() => setFocus(board, { kind })}>
      {label}
    </button>
  );
  return (
    <section class="panel phase-panel" aria-labelledby="phase-heading">
      <h2 id="phase-heading" class="sr-only">
        {t('moderator.cardsHeading')}
      </h2>
      {/* Writing opens and closes in "Ablauf steuern" (RunPanel), once. */}
      <div class="lock-row">
        <p class="muted">{meta.revealed ? t('moderator.revealed') : t('moderator.hidden')}</p>
        <button type="button" class={meta.revealed ? '' : 'primary'} onClick={() => setRevealed(board, !meta.revealed)}>
          {meta.revealed ? t('moderator.hide') : t('moderator.reveal')}
        </button>
      </div>
      <div class="button-row" role="group" aria-label={t('moderator.showOnScreen')}>
        {focusButton('overview', t('moderator.showOverview'))}
        {focusButton('groups', t('moderator.showGroups'))}
        {focusButton('votes', t('moderator.showVotes'))}
      </div>
      <div class="voting">
        <h3>
          {t('moderator.votingHeading')}: <span class="lock-state">{meta.votingOpen ? t('moderator.votingOpen') : t('moderator.votingClosed')}</span>
        </h3>
        {meta.votingOpen ? (
          <button type="button" onClick={() => stopVoting(board)}>
            {t('moderator.stopVoting')}
          </button>
        ) : (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              startVoting(board, budget);
            }}
          >
            <label for="vote-budget">{t('moderator.budget')}</label>
            <input
              id="vote-budget"
              type="number"
              min={1}
              max={LIMITS.voteBudgetMax}
              value={budget}
              onInput={(e) => setBudget(Math.min(LIMITS.voteBudgetMax, Math.max(1, Number(e.currentTarget.value) || 1)))}
            />
            <button type="submit">{t('moderator.startVoting')}</button>
          </form>
        )}
      </div>
    </section>
  );
}

function GroupSelect({ board, participant, groups }: { board: Board; participant: Participant; groups: Group[] }) {
  return (
    <select
      aria-label={t('moderator.assignGroup', { name: participant.name })}
      value={participant.group ?? ''}
      onChange={(e) => assignGroup(board, participant.id, e.currentTarget.value || null)}
    >
      <option value="">{t('moderator.noGroup')}</option>
      {groups.map((g) => (
        <option key={g.id} value={g.id}>
          {g.name}
        </option>
      ))}
    </select>
  );
}

/** Erasing a person on their request: the button, then what goes and the one choice, then the erasure. */
function EraseButton({ participant, access }: { participant: Participant; access: Access }) {
  const { busy, error, run } = useAction();
  const [asking, setAsking] = useState(false);
  const label = t('access.remove', { name: participant.name });
  return (
    <>
      <button type="button" class="icon-button danger" aria-label={label} title={label} aria-expanded={asking} disabled={busy} onClick={() => setAsking(!asking)}>
        <span aria-hidden="true">✕</span>
      </button>
      {asking && (
        <ErasureChoice
          own={false}
          name={participant.name}
          busy={busy}
          onCancel={() => setAsking(false)}
          onConfirm={(keepCards) => run(() => access.erase(participant, keepCards))}
        />
      )}
      {error !== null && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

function MemberList({ board, members, groups, access }: { board: Board; members: Participant[]; groups: Group[]; access: Access }) {
  return (
    <ul class="member-list">
      {members.map((p) => (
        <li key={p.id}>
          <span class="member-name">{p.name}</span>
          <SectorTag sector={p.sector} />
          <GroupSelect board={board} participant={p} groups={groups} />
          <EraseButton participant={p} access={access} />
        </li>
      ))}
    </ul>
  );
}

export function GroupsPanel({
  board,
  groups,
  members,
  access,
}: {
  board: Board;
  groups: Group[];
  members: Map<string | null, Participant[]>;
  access: Access;
}) {
  const unassigned = members.get(null) ?? [];
  // Group names are written into the board: in its language, not the screen's.
  const groupName = (n: number): string => tIn(selectMeta(board).locale, 'moderator.groupName', { n });
  const total = [...members.values()].reduce((n, list) => n + list.length, 0);
  return (
    <section class="panel" aria-labelledby="groups-heading">
      <h2 id="groups-heading">{t('moderator.groupsHeading')}</h2>
      <div class="button-row">
        <button
          type="button"
          disabled={total === 0}
          onClick={() => {
            // Re-forming moves everyone: ask once groups exist.
            if (groups.length === 0 || window.confirm(t('moderator.reformGroupsConfirm'))) formGroups(board, groupName);
          }}
        >
          {groups.length === 0 ? t('moderator.formGroups') : t('moderator.reformGroups')}
        </button>
        {groups.length > 0 && unassigned.length > 0 && (
          <button type="button" onClick={() => addToGroups(board, groupName)}>
            {tn('moderator.addToGroups', unassigned.length)}
          </button>
        )}
        <button type="button" onClick={() => createGroup(board, groupName(groups.length + 1))}>
          {t('moderator.addGroup')}
        </button>
      </div>
      {total === 0 && <p class="muted">{t('moderator.noParticipants')}</p>}
      {groups.map((group) => (
        <section key={group.id} class={`group ${colourClass(group.colour)}`} aria-label={group.name}>
          <div class="group-header">
            <InlineEdit value={group.name} label={group.name} maxLength={LIMITS.title} onCommit={(name) => renameGroup(board, group.id, name)} />
            <button type="button" class="icon-button danger" aria-label={t('moderator.deleteGroup')} title={t('moderator.deleteGroup')} onClick={() => deleteGroup(board, group.id)}>
              <span aria-hidden="true">✕</span>
            </button>
          </div>
          <MemberList board={board} members={members.get(group.id) ?? []} groups={groups} access={access} />
        </section>
      ))}
      {unassigned.length > 0 && (
        <section class="group" aria-label={t('moderator.noGroup')}>
          <h3>{t('moderator.noGroup')}</h3>
          <MemberList board={board} members={unassigned} groups={groups} access={access} />
        </section>
      )}
    </section>
  );
}
