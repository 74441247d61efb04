/**
 * Block 1's suggestions on the moderator's wall: on request, the server
 * names cards that look alike (docs/protocol.md, "Suggestions"); each is
 * offered as "these four cards look alike: make a cluster?". Accepting
 * makes the cluster, dismissing records it so it does not come back; both
 * are one undo step. Nothing happens on its own.
 */
import { useState } from 'preact/hooks';
import { type Board, type Suggestion, acceptSuggestion, dismissSuggestion, liveSuggestions, selectCards } from '../../board';
import { t, tIn, tn } from '../../i18n';
import type { Api } from '../../sync/api';
import { apiFailureText } from '../../ui/errors';

type Asked = { state: 'idle' } | { state: 'asking' } | { state: 'failed'; message: string } | { state: 'answered'; suggestions: Suggestion[] };

/** Whether a suggestion still suggests something: its cards are not all in one cluster. */
function open(board: Board, suggestion: Suggestion): boolean {
  const clusters = new Set(selectCards(board).filter((card) => suggestion.cards.includes(card.id)).map((card) => card.cluster));
  return clusters.size > 1 || clusters.has(null);
}

export function SuggestionsPanel({ board, boardId, token, api }: { board: Board; boardId: string; token: string; api: Api }) {
  const [asked, setAsked] = useState<Asked>({ state: 'idle' });
  const ask = (): void => {
    setAsked({ state: 'asking' });
    setDone(new Set());
    api.suggestions(boardId, token).then(
      (suggestions) => setAsked({ state: 'answered', suggestions }),
      (error: unknown) => setAsked({ state: 'failed', message: apiFailureText(error) }),
    );
  };
  // Suggestions acted on, by their cards: gone from the list until the next ask.
  const [done, setDone] = useState<ReadonlySet<string>>(new Set());
  const keyOf = (suggestion: Suggestion): string => suggestion.cards.join(' ');
  const drop = (suggestion: Suggestion): void => setDone((current) => new Set([...current, keyOf(suggestion)]));
  const texts = new Map(selectCards(board).map((card) => [card.id, card.text]));
  const shown = asked.state === 'answered' ? liveSuggestions(board, asked.suggestions).filter((s) => open(board, s) && !done.has(keyOf(s))) : [];
  const locale = board.meta.get('locale') === 'en' ? 'en' : 'de';
  return (
    // Folded by default: the wall below keeps its room.
    <details class="panel suggestions">
      <summary>
        <h2>{t('suggest.heading')}</h2>
      </summary>
      <button type="button" onClick={ask} disabled={asked.state === 'asking'}>
        {t(asked.state === 'answered' ? 'suggest.again' : 'suggest.ask')}
      </button>
      <div aria-live="polite">
        {asked.state === 'asking' && <p class="muted">{t('suggest.asking')}</p>}
        {asked.state === 'failed' && <p class="banner banner-error">{asked.message}</p>}
        {asked.state === 'answered' && shown.length === 0 && <p class="muted">{t('suggest.none')}</p>}
      </div>
      <ul class="suggestion-list">
        {shown.map((suggestion) => (
          <li key={keyOf(suggestion)} class="suggestion" aria-label={tn('suggest.look', suggestion.cards.length, { label: suggestion.label })}>
            <p>
              <strong>{tn('suggest.look', suggestion.cards.length, { label: suggestion.label })}</strong>
            </p>
            <ul class="suggestion-cards">
              {suggestion.cards.map((id) => (
                <li key={id}>{texts.get(id) ?? ''}</li>
              ))}
            </ul>
            <div class="button-row">
              <button
                type="button"
                class="primary"
                onClick={() => {
                  acceptSuggestion(board, suggestion, tIn(locale, 'moderator.newClusterTitle'));
                  drop(suggestion);
                }}
              >
                {t('suggest.accept', { label: suggestion.label })}
              </button>
              <button
                type="button"
                onClick={() => {
                  dismissSuggestion(board, suggestion);
                  drop(suggestion);
                }}
              >
                {t('suggest.dismiss')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </details>
  );
}
