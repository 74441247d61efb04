/**
 * The moderator's card wall: unsorted cards, clusters, and a "new cluster"
 * zone, all drop targets for the shared drag-and-drop controller.
 */
import { useState } from 'preact/hooks';
import {
  type Board,
  type Card,
  type Cluster,
  COLOURS,
  LIMITS,
  MODERATOR_AUTHOR,
  type Participant,
  type SectorCount,
  createCard,
  createCluster,
  deleteCard,
  deleteCluster,
  linkOffer,
  mergeClusters,
  recolourCluster,
  renameCluster,
  setClusterScope,
  setFocus,
  unlinkOffer,
  isClusterScope,
  isColour,
  type Focus,
} from '../../board';
import { t, tn } from '../../i18n';
import { KindTag, SectorTag, colourClass } from '../../ui/components';
import type { CardDragAndDrop } from '../../ui/dnd';
import { InlineEdit } from '../shared/InlineEdit';

export interface WallData {
  clusters: Cluster[];
  unclustered: Card[];
  byCluster: Map<string, Card[]>;
  sectors: Map<string, SectorCount[]>;
  offers: Map<string, Card[]>;
  votes: Map<string, number>;
  linksOf: (cardId: string) => string[];
  participants: Map<string, Participant>;
  groupNames: Map<string, string>;
  revealed: boolean;
  focus: Focus;
}

function isFocused(focus: Focus, kind: 'card' | 'cluster', id: string): boolean {
  return focus.kind === kind && focus.id === id;
}

function CardTile({ board, card, data, dnd }: { board: Board; card: Card; data: WallData; dnd: CardDragAndDrop }) {
  const author = data.participants.get(card.author);
  const links = card.kind === 'offer' ? data.linksOf(card.id) : [];
  const clusterTitle = (id: string): string => data.clusters.find((c) => c.id === id)?.title ?? id;
  const onScreen = isFocused(data.focus, 'card', card.id);
  return (
    <li class={`card card-${card.kind}${onScreen ? ' on-screen' : ''}`} data-card-id={card.id} onPointerDown={dnd.pointerDown}>
      <div class="card-row">
        <button
          type="button"
          class="drag-handle"
          data-drag-handle={card.id}
          aria-label={t('moderator.dragHandle', { text: card.text.slice(0, 60) })}
          aria-describedby="drag-help"
          onKeyDown={dnd.handleKey}
          onBlur={dnd.handleBlur}
        >
          <span aria-hidden="true">⠿</span>
        </button>
        <p class="card-text">{card.text}</p>
      </div>
      <div class="card-footer">
        <KindTag kind={card.kind} />
        {author && <SectorTag sector={author.sector} />}
        {card.group !== null && data.groupNames.has(card.group) && <span class="tag">{data.groupNames.get(card.group)}</span>}
        {!data.revealed && <span class="tag hidden-tag">{t('moderator.hiddenCard')}</span>}
        <span class="card-actions">
          <button
            type="button"
            class="icon-button"
            aria-pressed={onScreen}
            title={t('moderator.showOnScreen')}
            aria-label={t('moderator.showOnScreen')}
            onClick={() => setFocus(board, onScreen ? { kind: 'overview' } : { kind: 'card', id: card.id })}
          >
            <span aria-hidden="true">▣</span>
          </button>
          <button
            type="button"
            class="icon-button danger"
            title={t('moderator.deleteCard')}
            aria-label={t('moderator.deleteCard')}
            onClick={() => deleteCard(board, card.id)}
          >
            <span aria-hidden="true">✕</span>
          </button>
        </span>
      </div>
      {card.kind === 'offer' && (
        <div class="offer-links">
          {links.map((clusterId) => (
            <button
              key={clusterId}
              type="button"
              class="chip"
              aria-label={t('moderator.unlinkOffer', { cluster: clusterTitle(clusterId) })}
              onClick={() => unlinkOffer(board, card.id, clusterId)}
            >
              → {clusterTitle(clusterId)} <span aria-hidden="true">✕</span>
            </button>
          ))}
          <select
            aria-label={t('moderator.linkOffer')}
            value=""
            onChange={(e) => {
              const target = e.currentTarget.value;
              if (target) linkOffer(board, card.id, target);
              e.currentTarget.value = '';
            }}
          >
            <option value="">{t('moderator.linkOffer')}</option>
            {data.clusters
              .filter((c) => !links.includes(c.id))
              .map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title}
                </option>
              ))}
          </select>
        </div>
      )}
    </li>
  );
}

function ClusterColumn({ board, cluster, data, dnd }: { board: Board; cluster: Cluster; data: WallData; dnd: CardDragAndDrop }) {
  const cards = data.byCluster.get(cluster.id) ?? [];
  const sectors = data.sectors.get(cluster.id) ?? [];
  const offers = data.offers.get(cluster.id) ?? [];
  const onScreen = isFocused(data.focus, 'cluster', cluster.id);
  const others = data.clusters.filter((c) => c.id !== cluster.id);
  return (
    <section
      class={`cluster ${colourClass(cluster.colour)}${onScreen ? ' on-screen' : ''}`}
      data-drop={`cluster:${cluster.id}`}
      data-drop-label={cluster.title}
      aria-label={cluster.title}
    >
      <header class="cluster-header">
        <InlineEdit
          class="cluster-title-input"
          wrap
          value={cluster.title}
          label={t('moderator.clusterTitle')}
          maxLength={LIMITS.title}
          onCommit={(title) => renameCluster(board, cluster.id, title)}
        />
        <span class="votes-badge">{tn('moderator.votes', data.votes.get(cluster.id) ?? 0)}</span>
      </header>
      <p class="cluster-meta">
        {sectors.length === 0 ? (
          <span class="muted">
            {t('moderator.sectors')}: {t('moderator.noSectors')}
          </span>
        ) : (
          <>
            <span class="sr-only">{t('moderator.sectors')}: </span>
            {sectors.map((s) => (
              <SectorTag key={s.sector} sector={s.sector} count={s.participants} />
            ))}
          </>
        )}
      </p>
      <div class="cluster-controls">
        <select
          aria-label={t('moderator.scope')}
          value={cluster.scope ?? ''}
          onChange={(e) => {
            const value = e.currentTarget.value;
            setClusterScope(board, cluster.id, isClusterScope(value) ? value : null);
          }}
        >
          <option value="">
            {t('moderator.scope')}: {t('scope.none')}
          </option>
          <option value="district">{t('scope.district')}</option>
          <option value="overarching">{t('scope.overarching')}</option>
        </select>
        <select
          aria-label={t('moderator.colour')}
          value={cluster.colour}
          onChange={(e) => {
            const value = e.currentTarget.value;
            if (isColour(value)) recolourCluster(board, cluster.id, value);
          }}
        >
          {COLOURS.map((colour) => (
            <option key={colour} value={colour}>
              {t(`colour.${colour}`)}
            </option>
          ))}
        </select>
        {others.length > 0 && (
          <select
            aria-label={t('moderator.mergeInto')}
            value=""
            onChange={(e) => {
              const target = e.currentTarget.value;
              if (target) mergeClusters(board, cluster.id, target);
            }}
          >
            <option value="">{t('moderator.mergeInto')}</option>
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
        )}
        <button
          type="button"
          aria-pressed={onScreen}
          onClick={() => setFocus(board, onScreen ? { kind: 'overview' } : { kind: 'cluster', id: cluster.id })}
        >
          {onScreen ? t('moderator.onScreen') : t('moderator.showOnScreen')}
        </button>
        <button type="button" class="danger" onClick={() => deleteCluster(board, cluster.id)}>
          {t('moderator.deleteCluster')}
        </button>
      </div>
      <ul class="card-list">
        {cards.map((card) => (
          <CardTile key={card.id} board={board} card={card} data={data} dnd={dnd} />
        ))}
      </ul>
      {offers.length > 0 && (
        <div class="offers">
          <h3>{t('moderator.offers')}</h3>
          <ul class="plain-list">
            {offers.map((card) => (
              <li key={card.id}>{card.text}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function NewClusterForm({ board }: { board: Board }) {
  const [title, setTitle] = useState('');
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!title.trim()) return;
        createCluster(board, title);
        setTitle('');
      }}
    >
      <label for="new-cluster">{t('moderator.newClusterName')}</label>
      <input id="new-cluster" value={title} maxLength={LIMITS.title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <button type="submit">{t('moderator.addCluster')}</button>
    </form>
  );
}

function NewCardForm({ board }: { board: Board }) {
  const [text, setText] = useState('');
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!text.trim()) return;
        createCard(board, { text, kind: 'note', author: MODERATOR_AUTHOR });
        setText('');
      }}
    >
      <label for="new-card">{t('moderator.addCard')}</label>
      <input id="new-card" value={text} maxLength={LIMITS.cardText} onInput={(e) => setText(e.currentTarget.value)} />
      <button type="submit">{t('moderator.addCardButton')}</button>
    </form>
  );
}

export function Wall({ board, data, dnd, setRoot }: { board: Board; data: WallData; dnd: CardDragAndDrop; setRoot: (el: HTMLElement | null) => void }) {
  return (
    <section class="wall" aria-labelledby="wall-heading" ref={setRoot}>
      <div class="wall-toolbar">
        <h2 id="wall-heading" class="sr-only">
          {t('moderator.wallHeading')}
        </h2>
        <NewClusterForm board={board} />
        <NewCardForm board={board} />
      </div>
      <p id="drag-help" class="sr-only">
        {t('moderator.dragHelp')}
      </p>
      <div class="wall-scroll" data-autoscroll>
        <div class="wall-grid">
          <section class="cluster unsorted" data-drop="wall" data-drop-label={t('moderator.unsorted')} aria-label={t('moderator.unsorted')}>
            <h3 class="cluster-title">{t('moderator.unsorted')}</h3>
            {data.unclustered.length === 0 && <p class="muted">{t('moderator.empty')}</p>}
            <ul class="card-list">
              {data.unclustered.map((card) => (
                <CardTile key={card.id} board={board} card={card} data={data} dnd={dnd} />
              ))}
            </ul>
          </section>
          {data.clusters.map((cluster) => (
            <ClusterColumn key={cluster.id} board={board} cluster={cluster} data={data} dnd={dnd} />
          ))}
          <section class="cluster new-cluster-zone" data-drop="new" data-drop-label={t('moderator.newClusterDrop')}>
            <p>{t('moderator.newClusterDrop')}</p>
          </section>
        </div>
      </div>
    </section>
  );
}
