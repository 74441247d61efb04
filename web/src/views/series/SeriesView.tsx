/**
 * `/s/{series}#token=…`: a series' organiser (issue 15). The conferences
 * of the series (added with their moderation links), the suggestions of
 * clusters that mean the same in different districts (accepted or
 * dismissed, never applied by themselves), the districts' clusters side by
 * side with a topic each may join, the topics (title, scope, clusters,
 * agreements, and what each gathers: districts, needs verbatim, sectors,
 * offers), undo and redo, and the report for the council. Everything
 * through the HTTP API with the series token (docs/protocol.md, "Series");
 * the comparison is written whole with the version it was read at.
 */
import './series.css';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, useLocale } from '../../i18n';
import type { MessageKey } from '../../i18n';
import {
  History,
  acceptSuggestion,
  addTopic,
  dismissSuggestion,
  linkAgreement,
  linkCluster,
  newTopicId,
  removeTopic,
  renameTopic,
  setScope,
  topicOf,
  unlinkAgreement,
  unlinkCluster,
} from '../../series/comparison';
import { ApiError } from '../../sync/api';
import { Credentials, browserStorage } from '../../sync/credentials';
import {
  type ClusterRef,
  type Comparison,
  SERIES_EXPORT_FORMATS,
  SeriesApi,
  type SeriesConference,
  type SeriesOverview,
  type SeriesSuggestion,
  TOPIC_SCOPES,
  type TopicScope,
  type TopicView,
} from '../../sync/series-api';
import { TopBar, formatDate } from '../../ui/components';
import { apiFailureText } from '../../ui/errors';
import { Downloads } from '../shared/Downloads';
import { Loading, Message } from '../shared/page';
import { isRefusal, useRefreshing } from '../shared/refreshing';

/** How often the series is read again while the page is visible (the boards change live). */
const REFRESH_MS = 10_000;

type Loaded =
  | { kind: 'loading' }
  | { kind: 'refused' }
  | { kind: 'failed'; reason: string }
  | { kind: 'ready'; overview: SeriesOverview; suggestions: SeriesSuggestion[] };

/** The board and token of a moderation link `…/b/{board}/moderate#token=…`. */
export function parseModerationLink(link: string): { board: string; token: string } | null {
  let url: URL;
  try {
    url = new URL(link.trim(), 'http://localhost');
  } catch {
    return null;
  }
  const match = /^\/b\/([A-Za-z0-9_-]{1,128})\/moderate\/?$/.exec(url.pathname);
  const token = new URLSearchParams(url.hash.replace(/^#/, '')).get('token');
  if (!match?.[1] || !token) return null;
  return { board: match[1], token };
}

function clusterName(overview: SeriesOverview, ref: ClusterRef): string {
  const conference = overview.conferences.find((c) => c.board === ref.board);
  const cluster = conference?.clusters.find((c) => c.id === ref.cluster);
  const place = conference ? conference.district || conference.title : ref.board;
  return `${place}: ${cluster?.title ?? ref.cluster}`;
}

function ConferencesSection({
  overview,
  busy,
  add,
  remove,
}: {
  overview: SeriesOverview;
  busy: boolean;
  add: (link: string) => void;
  remove: (conference: SeriesConference) => void;
}) {
  useLocale();
  const [link, setLink] = useState('');
  return (
    <section class="panel" aria-labelledby="series-conferences-heading">
      <h2 id="series-conferences-heading">{t('series.conferences')}</h2>
      {overview.conferences.length === 0 ? (
        <p class="muted">{t('series.conferencesNone')}</p>
      ) : (
        <table class="series-conferences">
          <thead>
            <tr>
              <th scope="col">{t('series.col.conference')}</th>
              <th scope="col">{t('series.col.district')}</th>
              <th scope="col">{t('series.col.date')}</th>
              <th scope="col">{t('series.col.participants')}</th>
              <th scope="col">{t('series.col.cards')}</th>
              <th scope="col">{t('series.col.clusters')}</th>
              <th scope="col">
                <span class="sr-only">{t('series.removeBoardShort')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {overview.conferences.map((conference) => (
              <tr key={conference.board} data-board={conference.board}>
                <td>{conference.title}</td>
                <td>{conference.district}</td>
                <td>{formatDate(conference.date)}</td>
                <td>{conference.participants}</td>
                <td>{conference.cards}</td>
                <td>{conference.clusters.length}</td>
                <td>
                  <button
                    type="button"
                    class="link-button"
                    aria-disabled={busy ? 'true' : undefined}
                    aria-label={t('series.removeBoard', { title: conference.title })}
                    onClick={() => !busy && remove(conference)}
                  >
                    {t('series.removeBoardShort')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        class="series-add"
        onSubmit={(event) => {
          event.preventDefault();
          if (busy) return;
          add(link);
          setLink('');
        }}
      >
        <h3>{t('series.add.heading')}</h3>
        <p class="muted small" id="series-add-hint">
          {t('series.add.hint')}
        </p>
        <label>
          {t('series.add.link')}
          <input
            type="url"
            required
            autocomplete="off"
            spellcheck={false}
            aria-describedby="series-add-hint"
            value={link}
            onInput={(event) => setLink(event.currentTarget.value)}
          />
        </label>
        <button type="submit" aria-disabled={busy ? 'true' : undefined}>
          {t('series.add.button')}
        </button>
      </form>
    </section>
  );
}

function SuggestionsSection({
  overview,
  suggestions,
  busy,
  accept,
  dismiss,
}: {
  overview: SeriesOverview;
  suggestions: SeriesSuggestion[];
  busy: boolean;
  accept: (suggestion: SeriesSuggestion) => void;
  dismiss: (suggestion: SeriesSuggestion) => void;
}) {
  useLocale();
  return (
    <section class="panel" aria-labelledby="series-suggestions-heading">
      <h2 id="series-suggestions-heading">{t('series.suggestions')}</h2>
      <p class="muted small">{t('series.suggestionsHint')}</p>
      {suggestions.length === 0 ? (
        <p class="muted">{t('series.suggestionsNone')}</p>
      ) : (
        <ul class="series-suggestions">
          {suggestions.map((suggestion) => {
            const key = suggestion.clusters.map((c) => `${c.board}/${c.cluster}`).join(' ');
            return (
              <li key={key} class="series-suggestion" aria-label={t('series.suggestion', { label: suggestion.label })}>
                <strong>{suggestion.label}</strong>
                <ul>
                  {suggestion.clusters.map((ref) => (
                    <li key={`${ref.board}/${ref.cluster}`}>{clusterName(overview, ref)}</li>
                  ))}
                </ul>
                <div class="button-row">
                  <button type="button" class="primary" aria-disabled={busy ? 'true' : undefined} onClick={() => !busy && accept(suggestion)}>
                    {t('series.accept')}
                  </button>
                  <button type="button" aria-disabled={busy ? 'true' : undefined} onClick={() => !busy && dismiss(suggestion)}>
                    {t('series.dismiss')}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

const NEW_TOPIC = '+new';

function CompareSection({ overview, busy, choose }: { overview: SeriesOverview; busy: boolean; choose: (ref: ClusterRef, topic: string) => void }) {
  useLocale();
  const { comparison } = overview;
  return (
    <section class="panel" aria-labelledby="series-compare-heading">
      <h2 id="series-compare-heading">{t('series.compare')}</h2>
      <p class="muted small">{t('series.compareHint')}</p>
      <div class="series-columns">
        {overview.conferences.map((conference) => (
          <section key={conference.board} class="series-column" aria-label={conference.district || conference.title}>
            <h3>{conference.district || conference.title}</h3>
            {conference.clusters.length === 0 && <p class="muted small">{t('series.noClusters')}</p>}
            {conference.clusters.map((cluster) => {
              const ref = { board: conference.board, cluster: cluster.id };
              const topic = topicOf(comparison, ref);
              return (
                <article key={cluster.id} class="series-cluster" data-cluster={cluster.id}>
                  <h4>{cluster.title}</h4>
                  <ul class="small">
                    {cluster.needs.map((need, index) => (
                      <li key={index}>{need}</li>
                    ))}
                  </ul>
                  <label class="small">
                    {t('series.topicOf', { cluster: cluster.title })}
                    <select
                      value={topic?.id ?? ''}
                      aria-disabled={busy ? 'true' : undefined}
                      onChange={(event) => {
                        const value = event.currentTarget.value;
                        if (busy || value === (topic?.id ?? '')) return;
                        choose(ref, value);
                      }}
                    >
                      <option value="">{t('series.noTopic')}</option>
                      {comparison.topics.map((option) => (
                        <option key={option.id} value={option.id}>
                          {option.title}
                        </option>
                      ))}
                      <option value={NEW_TOPIC}>{t('series.newTopic')}</option>
                    </select>
                  </label>
                </article>
              );
            })}
          </section>
        ))}
      </div>
    </section>
  );
}

function VoicedList({ heading, items }: { heading: MessageKey; items: string[] }) {
  return (
    <>
      <h4>{t(heading)}</h4>
      {items.length === 0 ? (
        <p class="muted small">{t('series.none')}</p>
      ) : (
        <ul class="small">
          {items.map((item, index) => (
            <li key={index}>{item}</li>
          ))}
        </ul>
      )}
    </>
  );
}

function TopicTitle({ title, busy, save }: { title: string; busy: boolean; save: (title: string) => void }) {
  const [value, setValue] = useState(title);
  useEffect(() => setValue(title), [title]);
  const commit = (): void => {
    const next = value.trim();
    if (next.length === 0) setValue(title);
    else if (next !== title && !busy) save(next);
  };
  return (
    <label>
      {t('series.topicTitle')}
      <input
        type="text"
        maxLength={200}
        value={value}
        onInput={(event) => setValue(event.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit();
        }}
      />
    </label>
  );
}

function TopicsSection({
  overview,
  busy,
  change,
}: {
  overview: SeriesOverview;
  busy: boolean;
  change: (next: (comparison: Comparison) => Comparison) => void;
}) {
  useLocale();
  const { comparison } = overview;
  const views = new Map<string, TopicView>(overview.topics.map((view) => [view.id, view]));
  return (
    <section class="panel" aria-labelledby="series-topics-heading">
      <h2 id="series-topics-heading">{t('series.topics')}</h2>
      {comparison.topics.length === 0 && <p class="muted">{t('series.topicsNone')}</p>}
      {comparison.topics.map((topic) => {
        const view = views.get(topic.id);
        const agreements = overview.conferences.flatMap((conference) =>
          conference.agreements.map((agreement) => ({ conference, agreement, ref: { board: conference.board, agreement: agreement.id } })),
        );
        const linked = agreements.filter(({ ref }) => topic.agreements.some((a) => a.board === ref.board && a.agreement === ref.agreement));
        const open = agreements.filter((a) => !linked.includes(a));
        return (
          <article key={topic.id} class="series-topic" data-topic={topic.id} aria-label={topic.title}>
            <div class="series-topic-head">
              <TopicTitle title={topic.title} busy={busy} save={(title) => change((c) => renameTopic(c, topic.id, title))} />
              <label>
                {t('series.scope')}
                <select
                  value={topic.scope}
                  onChange={(event) => !busy && change((c) => setScope(c, topic.id, event.currentTarget.value as TopicScope))}
                >
                  {TOPIC_SCOPES.map((scope) => (
                    <option key={scope} value={scope}>
                      {t(`series.scope.${scope}`)}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" class="link-button" aria-disabled={busy ? 'true' : undefined} onClick={() => !busy && change((c) => removeTopic(c, topic.id))}>
                {t('series.removeTopic')}
              </button>
            </div>
            <h4>{t('series.topic.clusters')}</h4>
            <ul class="series-chips">
              {topic.clusters.map((ref) => {
                const name = clusterName(overview, ref);
                return (
                  <li key={`${ref.board}/${ref.cluster}`}>
                    {name}{' '}
                    <button
                      type="button"
                      class="link-button"
                      aria-label={t('series.unlinkCluster', { name })}
                      onClick={() => !busy && change((c) => unlinkCluster(c, ref))}
                    >
                      ✕
                    </button>
                  </li>
                );
              })}
            </ul>
            <p class="small">
              <strong>{t('series.topic.districts')}:</strong> {view && view.districts.length > 0 ? view.districts.join(', ') : t('series.none')}
            </p>
            <VoicedList heading="series.topic.needs" items={(view?.needs ?? []).map((n) => `${n.district}: ${n.text}`)} />
            <VoicedList
              heading="series.topic.sectors"
              items={Object.entries(view?.sectors ?? {}).map(([sector, at]) => `${sectorName(sector)} (${at.join(', ')})`)}
            />
            <VoicedList heading="series.topic.offers" items={(view?.offers ?? []).map((n) => `${n.district}: ${n.text}`)} />
            <h4>{t('series.topic.agreements')}</h4>
            <ul class="series-chips">
              {linked.map(({ conference, agreement, ref }) => {
                const name = `${conference.district || conference.title}: ${agreement.what}`;
                return (
                  <li key={`${ref.board}/${ref.agreement}`}>
                    {name}{' '}
                    <button
                      type="button"
                      class="link-button"
                      aria-label={t('series.unlinkAgreement', { name })}
                      onClick={() => !busy && change((c) => unlinkAgreement(c, topic.id, ref))}
                    >
                      ✕
                    </button>
                  </li>
                );
              })}
            </ul>
            {open.length > 0 && (
              <label class="small">
                {t('series.linkAgreement')}
                <select
                  value=""
                  onChange={(event) => {
                    const chosen = open[Number(event.currentTarget.value)];
                    if (chosen && !busy) change((c) => linkAgreement(c, topic.id, chosen.ref));
                  }}
                >
                  <option value="">—</option>
                  {open.map(({ conference, agreement }, index) => (
                    <option key={`${conference.board}/${agreement.id}`} value={String(index)}>
                      {conference.district || conference.title}: {agreement.what}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </article>
        );
      })}
    </section>
  );
}

function sectorName(sector: string): string {
  const key = `sector.${sector}`;
  return ['stadtteil', 'behoerde', 'traeger', 'wirtschaft', 'politik'].includes(sector) ? t(key as MessageKey) : sector;
}

function ReportSection({ api, series, token }: { api: SeriesApi; series: string; token: string }) {
  useLocale();
  return (
    <section class="panel" aria-labelledby="series-report-heading">
      <h2 id="series-report-heading">{t('series.report')}</h2>
      <p class="muted small">{t('series.reportHint')}</p>
      <Downloads
        formats={SERIES_EXPORT_FORMATS}
        label={(format) => (format === 'csv' ? t('series.format.csv') : t(`exports.format.${format}`))}
        fetchFile={(format) => api.report(series, token, format)}
      />
    </section>
  );
}

export function SeriesApp({ series, token, api }: { series: string; token: string; api: SeriesApi }) {
  useLocale();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'error' | 'status'; text: string } | null>(null);
  const history = useRef(new History());
  const [, setHistoryVersion] = useState(0);
  const generation = useRef(0);

  const load = async (): Promise<void> => {
    const asked = ++generation.current;
    const [overview, suggestions] = await Promise.all([api.overview(series, token), api.suggestions(series, token)]);
    if (asked === generation.current) setLoaded({ kind: 'ready', overview, suggestions });
  };
  const refresh = (): void => {
    load().catch((failure: unknown) => {
      if (isRefusal(failure)) setLoaded({ kind: 'refused' });
      else setLoaded((current) => (current.kind === 'ready' ? current : { kind: 'failed', reason: apiFailureText(failure) }));
    });
  };
  useRefreshing(refresh, REFRESH_MS, [series, token]);

  /** Runs one action: busy while it runs, then the series read again; a failure said in words. */
  const run = (action: () => Promise<void>): void => {
    if (busy) return;
    setBusy(true);
    setNotice(null);
    action()
      .then(load)
      .then(
        () => setBusy(false),
        (failure: unknown) => {
          setBusy(false);
          if (failure instanceof ApiError && failure.status === 409) {
            setNotice({ kind: 'error', text: t('series.conflict') });
            refresh();
          } else setNotice({ kind: 'error', text: apiFailureText(failure) });
        },
      );
  };

  /** Writes a comparison over the one read; `done` moves the history once it was taken. */
  const write = (overview: SeriesOverview, next: Comparison, done: () => void): void =>
    run(async () => {
      await api.writeComparison(series, token, overview.version, next);
      done();
      setHistoryVersion((v) => v + 1);
      setNotice({ kind: 'status', text: t('series.saved') });
    });

  const change = (overview: SeriesOverview, edit: (comparison: Comparison) => Comparison): void => {
    const before = overview.comparison;
    write(overview, edit(before), () => history.current.record(before));
  };
  const undo = (overview: SeriesOverview): void => {
    const target = history.current.undoTarget;
    if (target) write(overview, target, () => history.current.undone(overview.comparison));
  };
  const redo = (overview: SeriesOverview): void => {
    const target = history.current.redoTarget;
    if (target) write(overview, target, () => history.current.redone(overview.comparison));
  };

  const ready = loaded.kind === 'ready' ? loaded : null;
  useEffect(() => {
    if (!ready) return;
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
      if (!(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'z') return;
      event.preventDefault();
      if (event.shiftKey) redo(ready.overview);
      else undo(ready.overview);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  switch (loaded.kind) {
    case 'loading':
      return <Loading />;
    case 'refused':
      return <Message title={t('status.refusedToken')} />;
    case 'failed':
      return <Message title={t('series.error', { reason: loaded.reason })} />;
    case 'ready':
      break;
  }
  const { overview, suggestions } = loaded;
  const choose = (ref: ClusterRef, topic: string): void => {
    if (topic === '') change(overview, (c) => unlinkCluster(c, ref));
    else if (topic === NEW_TOPIC) {
      const cluster = overview.conferences.find((c) => c.board === ref.board)?.clusters.find((c) => c.id === ref.cluster);
      change(overview, (c) => addTopic(c, newTopicId(), cluster?.title ?? ref.cluster, [ref]));
    } else change(overview, (c) => linkCluster(c, topic, ref));
  };
  return (
    <>
      <TopBar title={overview.title}>
        <div class="button-row series-history">
          <button type="button" aria-disabled={busy || !history.current.undoTarget ? 'true' : undefined} onClick={() => undo(overview)}>
            {t('series.undo')}
          </button>
          <button type="button" aria-disabled={busy || !history.current.redoTarget ? 'true' : undefined} onClick={() => redo(overview)}>
            {t('series.redo')}
          </button>
        </div>
      </TopBar>
      <main id="main" class="series">
        {notice && (
          <p class={notice.kind === 'error' ? 'error' : 'small'} role={notice.kind === 'error' ? 'alert' : 'status'}>
            {notice.text}
          </p>
        )}
        <ConferencesSection
          overview={overview}
          busy={busy}
          add={(link) => {
            const parsed = parseModerationLink(link);
            if (!parsed) {
              setNotice({ kind: 'error', text: t('series.add.invalid') });
              return;
            }
            run(async () => {
              const added = await api.addBoard(series, token, parsed.board, parsed.token);
              if (!added) setNotice({ kind: 'status', text: t('series.add.already') });
            });
          }}
          remove={(conference) => run(() => api.removeBoard(series, token, conference.board))}
        />
        <SuggestionsSection
          overview={overview}
          suggestions={suggestions}
          busy={busy}
          accept={(suggestion) => change(overview, (c) => acceptSuggestion(c, suggestion, newTopicId()))}
          dismiss={(suggestion) => change(overview, (c) => dismissSuggestion(c, suggestion))}
        />
        <CompareSection overview={overview} busy={busy} choose={choose} />
        <TopicsSection overview={overview} busy={busy} change={(edit) => change(overview, edit)} />
        <ReportSection api={api} series={series} token={token} />
      </main>
    </>
  );
}

export function mount(root: HTMLElement, series: string, hashToken: string | null): void {
  const credentials = new Credentials(browserStorage());
  const token = hashToken ?? credentials.seriesToken(series);
  if (hashToken) {
    credentials.saveSeriesToken(series, hashToken);
    // The token stays on this device, not in the address bar.
    history.replaceState(null, '', `/s/${encodeURIComponent(series)}`);
  }
  if (token === null) {
    render(<Message title={t('status.refusedToken')} />, root);
    return;
  }
  render(<SeriesApp series={series} token={token} api={new SeriesApi()} />, root);
}
