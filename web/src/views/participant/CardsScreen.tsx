/**
 * The phone in Block 1 (cards screen): group, writing cards (the keyboard's
 * send key submits), own cards to edit or delete, cards the server gave
 * back, dot voting, and all cards once revealed. Works offline: every write
 * lands in the local doc (and the device's offline store) first and is sent
 * when the connection is back; unsent text is kept on the device
 * (device/drafts.ts).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  BLOCK1_CARD_KINDS,
  type Board,
  type Card,
  LIMITS,
  type ReturnedCard,
  castVote,
  createCard,
  deleteCard,
  editCard,
  retractVote,
  selectCardsBy,
  selectHiddenCardCount,
  selectCardsByCluster,
  selectClusters,
  selectGroupMembers,
  selectGroups,
  selectMeta,
  selectOwnVotes,
  selectParticipant,
} from '../../board';
import { CARD_DRAFT, CARD_EDIT, type CardDraft, cardDraftKey, cardEditKey } from '../../device/drafts';
import { usePersistedState } from '../../device/persisted-state';
import { t } from '../../i18n';
import { KindTag, ReturnedActions } from '../../ui/components';
import type { WritingScreenProps } from './screen-props';

/** Enter sends, Shift+Enter makes a new line; never while an IME is composing. */
function isSendKey(event: KeyboardEvent): boolean {
  return event.key === 'Enter' && !event.shiftKey && !event.isComposing;
}

/**
 * Some phone keyboards report their send key only as a line break about to
 * be inserted (keydown says "Unidentified", key code 229). Such a line break
 * sends too, unless the keydown before it was Shift+Enter.
 */
function useSendOnLineBreak(send: () => void): { onKeyDown: (event: KeyboardEvent) => void; onBeforeInput: (event: InputEvent) => void } {
  const shiftEnter = useRef(false);
  return {
    onKeyDown: (event) => {
      shiftEnter.current = event.key === 'Enter' && event.shiftKey;
      if (isSendKey(event)) {
        event.preventDefault();
        send();
      }
    },
    onBeforeInput: (event) => {
      const lineBreak = event.inputType === 'insertLineBreak' || event.inputType === 'insertParagraph';
      if (lineBreak && !shiftEnter.current && !event.isComposing) {
        event.preventDefault();
        send();
      }
      shiftEnter.current = false;
    },
  };
}

interface ComposerProps {
  board: Board;
  participantId: string;
  group: string | null;
  /** The unsent text, kept by the cards screen (a returned card goes back into it). */
  draft: CardDraft;
  setDraft: (draft: CardDraft) => void;
  /** Resolves once the device has stored every change (Connection.whenStored). */
  whenStored: () => Promise<boolean>;
}

function Composer({ board, participantId, group, draft, setDraft, whenStored }: ComposerProps) {
  const [notice, setNotice] = useState('');
  const textRef = useRef<HTMLTextAreaElement>(null);
  const send = (): void => {
    if (!draft.text.trim()) return;
    createCard(board, { text: draft.text.slice(0, LIMITS.cardText), kind: draft.kind, author: participantId, group });
    setDraft({ kind: draft.kind, text: '' });
    // "Saved" only once it is: the device's copy is what survives a reload
    // while the Wi-Fi is down.
    setNotice(t('participant.saving'));
    void whenStored().then((stored) => setNotice(t(stored ? 'participant.sent' : 'participant.sentNotStored')));
    textRef.current?.focus();
  };
  const sendKeys = useSendOnLineBreak(send);
  return (
    <form
      class="panel composer"
      aria-labelledby="write-heading"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <h2 id="write-heading">{t('participant.writeHeading')}</h2>
      <fieldset class="kind-choice">
        <legend>{t('participant.kind')}</legend>
        {BLOCK1_CARD_KINDS.map((kind) => (
          <label key={kind} class={`kind-option kind-${kind}`}>
            <input
              type="radio"
              name="card-kind"
              value={kind}
              checked={draft.kind === kind}
              onChange={() => setDraft({ ...draft, kind })}
            />
            <span>{t(`kind.${kind}`)}</span>
          </label>
        ))}
      </fieldset>
      <label for="card-text">{t('participant.text')}</label>
      <textarea
        id="card-text"
        ref={textRef}
        rows={3}
        maxLength={LIMITS.cardText}
        enterkeyhint="send"
        placeholder={t('participant.placeholder')}
        value={draft.text}
        onInput={(e) => {
          setNotice('');
          setDraft({ ...draft, text: e.currentTarget.value });
        }}
        {...sendKeys}
      />
      <div class="composer-actions">
        <p class="small" role="status" aria-live="polite">
          {notice}
        </p>
        <button type="submit" class="primary" disabled={!draft.text.trim()}>
          {t('participant.send')}
        </button>
      </div>
    </form>
  );
}

/** An edit in progress is kept across a reload like the composer's draft. */
function OwnCard({ board, card, editable }: { board: Board; card: Card; editable: boolean }) {
  const [editing, setEditing] = usePersistedState(cardEditKey(card.id), CARD_EDIT);
  const editRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (editing !== null) editRef.current?.focus();
  }, [editing !== null]);
  const save = (): void => {
    if (editing !== null && editing.trim()) editCard(board, card.id, { text: editing });
    setEditing(null);
  };
  if (editing !== null && editable) {
    return (
      <li class={`card card-${card.kind}`}>
        <label class="sr-only" for={`edit-${card.id}`}>
          {t('participant.editLabel')}
        </label>
        <textarea
          id={`edit-${card.id}`}
          ref={editRef}
          rows={3}
          maxLength={LIMITS.cardText}
          enterkeyhint="done"
          value={editing}
          onInput={(e) => setEditing(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (isSendKey(e)) {
              e.preventDefault();
              save();
            } else if (e.key === 'Escape') setEditing(null);
          }}
        />
        <div class="button-row">
          <button type="button" class="primary" onClick={save}>
            {t('participant.save')}
          </button>
          <button type="button" onClick={() => setEditing(null)}>
            {t('participant.cancel')}
          </button>
        </div>
      </li>
    );
  }
  return (
    <li class={`card card-${card.kind}`}>
      <p class="card-text">{card.text}</p>
      <div class="card-footer">
        <KindTag kind={card.kind} />
        {editable && (
          <span class="card-actions">
            <button type="button" onClick={() => setEditing(card.text)}>
              {t('participant.edit')}
            </button>
            <button
              type="button"
              class="danger"
              onClick={() => {
                // No undo on the phone: deleting asks first.
                if (window.confirm(t('participant.deleteConfirm'))) deleteCard(board, card.id);
              }}
            >
              {t('participant.delete')}
            </button>
          </span>
        )}
      </div>
    </li>
  );
}

function Voting({ board, participantId }: { board: Board; participantId: string }) {
  const meta = selectMeta(board);
  const own = selectOwnVotes(board, participantId);
  return (
    <section class="panel" aria-labelledby="vote-heading">
      <h2 id="vote-heading">{t('participant.voteHeading')}</h2>
      <p role="status" aria-live="polite">
        {t('participant.votesLeft', { n: own.remaining, budget: meta.voteBudget })}
      </p>
      <ul class="vote-list">
        {selectClusters(board).map((cluster) => {
          const mine = own.byCluster.get(cluster.id) ?? 0;
          return (
            <li key={cluster.id}>
              <span class="vote-title">{cluster.title}</span>
              <span class="vote-dots" aria-hidden="true">
                {'●'.repeat(mine)}
              </span>
              <span class="sr-only">{t('participant.clusterVotes', { n: mine })}</span>
              <button
                type="button"
                class="icon-button"
                disabled={mine === 0}
                aria-label={t('participant.removeVote', { cluster: cluster.title })}
                onClick={() => retractVote(board, participantId, cluster.id)}
              >
                −
              </button>
              <button
                type="button"
                class="icon-button primary"
                disabled={own.remaining === 0}
                aria-label={t('participant.addVote', { cluster: cluster.title })}
                onClick={() => castVote(board, participantId, cluster.id)}
              >
                +
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function AllCards({ board }: { board: Board }) {
  const { unclustered, byCluster } = selectCardsByCluster(board);
  return (
    <details class="panel">
      <summary>{t('participant.revealedHeading')}</summary>
      {selectClusters(board).map((cluster) => (
        <section key={cluster.id} aria-label={cluster.title}>
          <h3>{cluster.title}</h3>
          <ul class="plain-list">
            {(byCluster.get(cluster.id) ?? []).map((card) => (
              <li key={card.id}>{card.text}</li>
            ))}
          </ul>
        </section>
      ))}
      {unclustered.length > 0 && (
        <ul class="plain-list">
          {unclustered.map((card) => (
            <li key={card.id}>{card.text}</li>
          ))}
        </ul>
      )}
    </details>
  );
}

function GroupInfo({ board, participantId, noGroupHint }: { board: Board; participantId: string; noGroupHint: boolean }) {
  const me = selectParticipant(board, participantId);
  const group = me?.group ? selectGroups(board).find((g) => g.id === me.group) : undefined;
  if (!group) return noGroupHint ? <p class="muted">{t('participant.noGroup')}</p> : null;
  const others = (selectGroupMembers(board).get(group.id) ?? []).filter((p) => p.id !== participantId);
  return (
    <p class="group-info">
      <strong>{t('participant.group', { group: group.name })}</strong>
      {others.length > 0 && ` ${t('participant.groupWith', { names: others.map((p) => p.name).join(', ') })}`}
    </p>
  );
}

/**
 * Own cards the server took back (written offline after writing closed) or
 * the moderator removed: their text stays on this device until the person
 * writes it again or lets it go.
 */
export function ReturnedCards({ returned, writingOpen, onWriteAgain, onDiscard, heading, hint }: {
  returned: ReturnedCard[];
  writingOpen: boolean;
  onWriteAgain: (card: ReturnedCard) => void;
  onDiscard: (card: ReturnedCard) => void;
  /** Another heading and explanation (the tree's entries). */
  heading?: string;
  hint?: string;
}) {
  if (returned.length === 0) return null;
  return (
    <section class="panel returned" aria-labelledby="returned-heading">
      <h2 id="returned-heading">{heading ?? t('participant.returnedHeading')}</h2>
      <p class="small">{hint ?? (writingOpen ? t('participant.returnedHint') : t('participant.returnedHintClosed'))}</p>
      <ul class="card-list">
        {returned.map((card) => (
          <li key={card.id} class="card">
            <KindTag kind={card.kind} />
            <p class="card-text">{card.text}</p>
            <ReturnedActions
              open={writingOpen}
              againLabel={t('participant.writeAgain')}
              onAgain={() => onWriteAgain(card)}
              onDiscard={() => onDiscard(card)}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

export function CardsScreen({ board, boardId, participantId, whenStored, returned, onReturnedDone, noGroupHint = true }: WritingScreenProps<ReturnedCard> & {
  /**
   * Say so when the moderator has not put the person into a small group
   * yet. Not on an event's boards: the workshop or reflection group is the
   * group there (the banner names it), small groups inside it are extra.
   */
  noGroupHint?: boolean;
}) {
  const meta = selectMeta(board);
  const mine = selectCardsBy(board, participantId);
  const hidden = meta.revealed ? 0 : selectHiddenCardCount(board);
  const me = selectParticipant(board, participantId);
  const [draft, setDraft] = usePersistedState(cardDraftKey(boardId), CARD_DRAFT);
  return (
    <>
      <GroupInfo board={board} participantId={participantId} noGroupHint={noGroupHint} />
      {meta.votingOpen && <Voting board={board} participantId={participantId} />}
      {meta.writingOpen ? (
        <Composer board={board} participantId={participantId} group={me?.group ?? null} draft={draft} setDraft={setDraft} whenStored={whenStored} />
      ) : (
        <p class="banner">{t('participant.writingClosed')}</p>
      )}
      <ReturnedCards
        returned={returned}
        writingOpen={meta.writingOpen}
        onWriteAgain={(card) => {
          // Into the composer, after what is already typed there: nothing is overwritten.
          setDraft({ kind: card.kind, text: draft.text.trim() ? `${draft.text}\n${card.text}` : card.text });
          onReturnedDone(card);
        }}
        onDiscard={onReturnedDone}
      />
      <section class="panel" aria-labelledby="mine-heading">
        <h2 id="mine-heading">{t('participant.myCards', { n: mine.length })}</h2>
        {mine.length === 0 && <p class="muted">{t('participant.noCards')}</p>}
        <ul class="card-list">
          {[...mine].reverse().map((card) => (
            <OwnCard key={card.id} board={board} card={card} editable={meta.writingOpen} />
          ))}
        </ul>
      </section>
      {hidden > 0 && <p class="muted">{t('participant.hiddenCards', { n: hidden })}</p>}
      {meta.revealed && <AllCards board={board} />}
    </>
  );
}
