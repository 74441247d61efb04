/**
 * The read-only rendering of a board used by the presenter (projector) and
 * the watch view. It shows what `focus` names; everything comes from the
 * selectors. Cards stay hidden until the moderator reveals them.
 */
import {
  CARD_KINDS,
  type Board,
  type Card,
  type Cluster,
  type Focus,
  selectCaseMap,
  selectCardsByCluster,
  selectClusters,
  selectGroupMembers,
  selectGroups,
  selectMeta,
  selectOffersByCluster,
  selectParticipants,
  selectSectorsPerCluster,
  selectVoteRanking,
  selectCards,
  selectHiddenCardCount,
  isTreeBoard,
} from '../../board';
import { t, tn, useLocale } from '../../i18n';
import { KindTag, SectorTag, colourClass } from '../../ui/components';
import { formatJoinCode } from '../../ui/join-code';
import { QrCode } from '../../ui/qr';
import { AgendaList, AgreementList, FocalSpotlight, NetworkList } from './Block23';
import { CaseMap } from './CaseMap';
import { TreeDrawing } from '../tree/TreeDrawing';

/**
 * One card. On the wall (`tag` false) its kind is the colour of its edge,
 * which the legend above the wall explains: a tag under every card would
 * cost a line each.
 */
function CardFace({ card, tag = true }: { card: Card; tag?: boolean }) {
  return (
    <li class={`card card-${card.kind}`} data-card={card.id}>
      <p class="card-text">{card.text}</p>
      {tag ? <KindTag kind={card.kind} /> : <span class="sr-only">{t(`kind.${card.kind}`)}</span>}
    </li>
  );
}

/** What the card edges' colours mean, for the wall. */
function KindLegend({ cards }: { cards: Card[] }) {
  const kinds = CARD_KINDS.filter((kind) => cards.some((card) => card.kind === kind));
  return (
    <p class="kind-legend">
      {kinds.map((kind) => (
        <span key={kind} class={`legend-kind card-${kind}`}>
          {t(`kind.${kind}`)}
        </span>
      ))}
    </p>
  );
}

function ClusterBlock({
  board,
  cluster,
  cards,
  large,
}: {
  board: Board;
  cluster: Cluster;
  cards: Card[];
  large: boolean;
}) {
  const sectors = selectSectorsPerCluster(board).get(cluster.id) ?? [];
  const offers = selectOffersByCluster(board).get(cluster.id) ?? [];
  const Heading = large ? 'h1' : 'h2';
  return (
    <section class={`cluster ${colourClass(cluster.colour)}`} aria-label={cluster.title}>
      <div class="cluster-head">
        <Heading class="cluster-title">{cluster.title}</Heading>
        <p class="cluster-meta">
          {cluster.scope && <span class="tag scope">{t(`scope.${cluster.scope}`)}</span>}
          {sectors.map((s) => (
            <SectorTag key={s.sector} sector={s.sector} count={s.participants} />
          ))}
        </p>
      </div>
      <ul class="card-list">
        {cards.map((card) => (
          <CardFace key={card.id} card={card} tag={large} />
        ))}
      </ul>
      {offers.length > 0 && (
        <div class="offers">
          <h3>{t('presenter.offers')}</h3>
          <ul class="card-list">
            {offers.map((card) => (
              <CardFace key={card.id} card={card} tag={large} />
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function JoinScreen({ board }: { board: Board }) {
  const meta = selectMeta(board);
  const url = meta.joinCode ? `${location.origin}/join/${meta.joinCode}` : null;
  return (
    <section class="join-screen">
      <h1>{meta.title}</h1>
      {url && meta.joinCode && (
        <>
          <QrCode value={url} label={t('moderator.joinQrLabel', { url })} size={360} />
          <p class="join-code">{formatJoinCode(meta.joinCode)}</p>
          <p>{t('presenter.joinHint', { host: location.host })}</p>
        </>
      )}
      <p class="muted">
        {tn('moderator.participants', selectParticipants(board).length)} · {tn('presenter.cards', selectCards(board).length + selectHiddenCardCount(board))}
      </p>
      <p>{t('presenter.waiting')}</p>
    </section>
  );
}

export function BoardDisplay({ board, focus }: { board: Board; focus: Focus }) {
  useLocale();
  const meta = selectMeta(board);
  const clusters = selectClusters(board);

  if (focus.kind === 'groups') {
    const members = selectGroupMembers(board);
    return (
      <section class="display">
        <h1>{t('presenter.groups')}</h1>
        <div class="group-grid">
          {selectGroups(board).map((group) => (
            <section key={group.id} class={`group ${colourClass(group.colour)}`}>
              <h2>{group.name}</h2>
              <ul>
                {(members.get(group.id) ?? []).map((p) => (
                  <li key={p.id}>
                    {p.name} <span class="muted">· {p.organisation || t(`sector.${p.sector}`)}</span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      </section>
    );
  }

  if (focus.kind === 'votes') {
    const ranking = selectVoteRanking(board);
    const max = Math.max(1, ...ranking.map((r) => r.votes));
    return (
      <section class="display">
        <h1>{t('presenter.results')}</h1>
        <ol class="ranking">
          {ranking.map(({ cluster, votes }) => (
            <li key={cluster.id}>
              <span class="ranking-title">{cluster.title}</span>
              <span class={`ranking-bar ${colourClass(cluster.colour)}`} style={{ width: `${(votes / max) * 100}%` }} />
              <span class="ranking-votes">{tn('moderator.votes', votes)}</span>
            </li>
          ))}
        </ol>
      </section>
    );
  }

  if (focus.kind === 'agenda') {
    return (
      <section class="display display-agenda">
        <AgendaList board={board} heading="h1" />
      </section>
    );
  }
  if (focus.kind === 'agreements') {
    return (
      <section class="display display-agreements">
        <AgreementList board={board} heading="h1" />
      </section>
    );
  }
  if (focus.kind === 'networks') {
    return (
      <section class="display display-networks">
        <NetworkList board={board} heading="h1" />
      </section>
    );
  }
  if (focus.kind === 'case') {
    const map = selectCaseMap(board, focus.id);
    if (map) {
      return (
        <div class="display display-case">
          <CaseMap map={map} spotlight={null} heading="h1" />
        </div>
      );
    }
  }
  if (focus.kind === 'focal') {
    const spotlight = <FocalSpotlight board={board} focalPointId={focus.id} heading="h1" />;
    if (board.focalPoints.has(focus.id)) return <div class="display display-spotlight">{spotlight}</div>;
  }

  // A problem–solution tree is drawn live: the room builds it together.
  if (isTreeBoard(board)) return <TreeDrawing board={board} />;
  if (!meta.revealed) return <JoinScreen board={board} />;
  const { unclustered, byCluster } = selectCardsByCluster(board);

  if (focus.kind === 'cluster') {
    const cluster = clusters.find((c) => c.id === focus.id);
    if (cluster) {
      return (
        <div class="display display-focus">
          <ClusterBlock board={board} cluster={cluster} cards={byCluster.get(cluster.id) ?? []} large />
        </div>
      );
    }
  }
  if (focus.kind === 'card') {
    const card = [...unclustered, ...[...byCluster.values()].flat()].find((c) => c.id === focus.id);
    if (card) {
      return (
        <div class="display display-card">
          <h1 class="sr-only">{meta.title}</h1>
          <ul class="card-list">
            <CardFace card={card} />
          </ul>
        </div>
      );
    }
  }

  // An offer linked to a cluster is shown under it ("Vorhandene Angebote"),
  // not a second time among the unsorted cards.
  const linked = new Set([...selectOffersByCluster(board).values()].flat().map((card) => card.id));
  const unsorted = unclustered.filter((card) => !linked.has(card.id));
  return (
    <div class="display display-wall">
      {/* The clusters are the headings people read; the page still needs its title. */}
      <h1 class="sr-only">{meta.title}</h1>
      {/* Columns that flow: clusters wrap into the next column, the type shrinks only when the screen is full. */}
      <div class="wall-flow" data-fit-box>
        <KindLegend cards={[...unclustered, ...[...byCluster.values()].flat()]} />
        {clusters.map((cluster) => (
          <ClusterBlock key={cluster.id} board={board} cluster={cluster} cards={byCluster.get(cluster.id) ?? []} large={false} />
        ))}
        {unsorted.length > 0 && (
          <section class="cluster unsorted" aria-label={t('presenter.unsorted')}>
            <div class="cluster-head">
              <h2 class="cluster-title">{t('presenter.unsorted')}</h2>
            </div>
            <ul class="card-list">
              {unsorted.map((card) => (
                <CardFace key={card.id} card={card} tag={false} />
              ))}
            </ul>
          </section>
        )}
      </div>
    </div>
  );
}
