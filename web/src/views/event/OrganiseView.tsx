/**
 * `/e/{event}/organise#token=…`: the event's organiser. The one join code
 * and QR code (and a poster to print), the part switcher every phone
 * follows, the boards with their places taken, the participants with their
 * workshop and group (each movable), the grouping rule, the links to the
 * event projector and to each board's moderation and projector, and the
 * event's documentation. Everything through the HTTP API with the
 * organiser token (docs/protocol.md, "The organiser's event endpoints");
 * the desk is read again every few seconds, so people who join show up.
 */
import './event.css';
import { render } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { t, useLocale } from '../../i18n';
import {
  Api,
  EVENT_EXPORT_FORMATS,
  EVENT_PARTS,
  type EventDesk,
  type EventPart,
  GROUPING_RULES,
  type GroupingRule,
  isGroupingRule,
} from '../../sync/api';
import { Credentials, type EventLinks, browserStorage } from '../../sync/credentials';
import { TopBar, formatDate } from '../../ui/components';
import { apiFailureText } from '../../ui/errors';
import { formatJoinCode } from '../../ui/join-code';
import { QrCode } from '../../ui/qr';
import { Downloads } from '../shared/Downloads';
import { Loading, Message } from '../shared/page';
import { isRefusal, useRefreshing } from '../shared/refreshing';
import { labelIn } from './place-text';

/** How often the desk is read again while the page is visible (joins, choices, fullness). */
const REFRESH_MS = 4_000;

/** Runs one organiser action: busy while it runs, the failure said in words. */
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

function ErrorLine({ error }: { error: string | null }) {
  if (error === null) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

function JoinSection({ desk }: { desk: EventDesk }) {
  useLocale();
  const code = formatJoinCode(desk.join_code);
  return (
    <section class="panel event-join" aria-labelledby="event-join-heading">
      <h2 id="event-join-heading">{t('event.organise.join')}</h2>
      <div class="event-join-body">
        <QrCode value={desk.join_url} label={t('moderator.joinQrLabel', { url: desk.join_url })} size={220} />
        <div>
          <p class="join-code" data-join-code={desk.join_code}>
            {t('moderator.joinCode', { code })}
          </p>
          <p class="small">
            <a href={desk.join_url}>{desk.join_url}</a>
          </p>
          <button type="button" onClick={() => window.print()}>
            {t('event.organise.printPoster')}
          </button>
        </div>
      </div>
    </section>
  );
}

/** The poster for the door: only printed (the screen shows the join section above). */
function Poster({ desk }: { desk: EventDesk }) {
  useLocale();
  return (
    <section class="event-poster">
      <h1>{desk.title}</h1>
      <p>{[formatDate(desk.date), desk.venue].filter((part) => part.length > 0).join(' · ')}</p>
      <QrCode value={desk.join_url} label={t('moderator.joinQrLabel', { url: desk.join_url })} size={460} />
      <p class="poster-code">{formatJoinCode(desk.join_code)}</p>
      <p>{t('event.poster.hint', { url: desk.join_url })}</p>
    </section>
  );
}

function PartSwitcher({ desk, run, busy }: { desk: EventDesk; run: (part: EventPart) => void; busy: boolean }) {
  useLocale();
  return (
    <section class="panel" aria-labelledby="event-part-heading">
      <h2 id="event-part-heading">{t('event.organise.part')}</h2>
      <p>{t('event.organise.partNow', { part: t(`event.part.${desk.part}`) })}</p>
      <div class="segmented part-switcher" role="group" aria-labelledby="event-part-heading">
        {EVENT_PARTS.map((part) => (
          <button key={part} type="button" aria-pressed={desk.part === part} disabled={busy} onClick={() => run(part)}>
            {t(`event.part.${part}`)}
          </button>
        ))}
      </div>
    </section>
  );
}

function BoardsSection({ desk, links }: { desk: EventDesk; links: EventLinks | null }) {
  useLocale();
  const linksOf = new Map((links?.boards ?? []).map((board) => [board.board, board]));
  return (
    <section class="panel" aria-labelledby="event-boards-heading">
      <h2 id="event-boards-heading">{t('event.organise.boards')}</h2>
      <div class="table-wrap">
        <table class="event-table">
          <thead>
            <tr>
              <th scope="col">{t('event.create.boardTitle')}</th>
              <th scope="col">{t('event.create.kind')}</th>
              <th scope="col">{t('event.create.location')}</th>
              <th scope="col">{t('event.organise.taken')}</th>
              <th scope="col">{t('event.organise.links')}</th>
            </tr>
          </thead>
          <tbody>
            {desk.boards.map((board) => {
              const known = linksOf.get(board.board);
              return (
                <tr key={board.board} data-board={board.board}>
                  <th scope="row">{board.title}</th>
                  <td>{t(`event.kind.${board.kind}`)}</td>
                  <td>{board.location}</td>
                  <td>
                    {board.capacity === null ? String(board.admitted) : t('event.organise.takenOf', { n: board.admitted, capacity: board.capacity })}
                    {board.full && <span class="tag"> {t('event.organise.full')}</span>}
                  </td>
                  <td>
                    {known ? (
                      <span class="board-links">
                        <a href={known.moderator_url} target="_blank" rel="noopener">
                          {t('event.organise.moderate', { title: board.title })}
                        </a>
                        <a href={known.presenter_url} target="_blank" rel="noopener">
                          {t('event.organise.present', { title: board.title })}
                        </a>
                      </span>
                    ) : (
                      <span class="muted small">{t('event.organise.linksUnknown')}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ParticipantsSection({
  desk,
  busy,
  assign,
}: {
  desk: EventDesk;
  busy: boolean;
  assign: (participant: string, kind: 'workshop' | 'reflection', board: string | null) => void;
}) {
  const language = useLocale();
  const extra = desk.attributes.filter((attribute) => attribute.id !== 'sector');
  const sector = desk.attributes.find((attribute) => attribute.id === 'sector');
  const valueLabel = (attributeId: string, value: string | undefined): string => {
    const attribute = desk.attributes.find((candidate) => candidate.id === attributeId);
    const found = attribute?.values.find((candidate) => candidate.id === value);
    return found ? labelIn(found.label, language) : (value ?? '');
  };
  const workshops = desk.boards.filter((board) => board.kind === 'workshop');
  const groups = desk.boards.filter((board) => board.kind === 'reflection' || board.kind === 'tree');
  return (
    <section class="panel" aria-labelledby="event-people-heading">
      <h2 id="event-people-heading">{t('event.organise.participants', { n: desk.participants.length })}</h2>
      {desk.participants.length === 0 ? (
        <p class="muted">{t('moderator.noParticipants')}</p>
      ) : (
        <div class="table-wrap">
          <table class="event-table">
            <thead>
              <tr>
                <th scope="col">{t('join.name')}</th>
                <th scope="col">{t('join.organisation')}</th>
                <th scope="col">{sector ? labelIn(sector.label, language) : t('join.sector')}</th>
                {extra.map((attribute) => (
                  <th key={attribute.id} scope="col">
                    {labelIn(attribute.label, language)}
                  </th>
                ))}
                {workshops.length > 0 && <th scope="col">{t('event.kind.workshop')}</th>}
                {groups.length > 0 && <th scope="col">{t('event.organise.group')}</th>}
              </tr>
            </thead>
            <tbody>
              {desk.participants.map((person) => (
                <tr key={person.participant_id} data-participant={person.participant_id}>
                  <th scope="row">{person.name}</th>
                  <td>{person.organisation}</td>
                  <td>{valueLabel('sector', person.sector)}</td>
                  {extra.map((attribute) => (
                    <td key={attribute.id}>{valueLabel(attribute.id, person.attributes[attribute.id])}</td>
                  ))}
                  {workshops.length > 0 && (
                    <td>
                      <select
                        aria-label={t('event.organise.workshopOf', { name: person.name })}
                        value={person.workshop ?? ''}
                        disabled={busy}
                        onChange={(e) => assign(person.participant_id, 'workshop', e.currentTarget.value || null)}
                      >
                        <option value="">{t('event.organise.none')}</option>
                        {workshops.map((board) => (
                          <option key={board.board} value={board.board}>
                            {board.title}
                          </option>
                        ))}
                      </select>
                    </td>
                  )}
                  {groups.length > 0 && (
                    <td>
                      <select
                        aria-label={t('event.organise.groupOf', { name: person.name })}
                        value={person.group ?? ''}
                        disabled={busy}
                        onChange={(e) => assign(person.participant_id, 'reflection', e.currentTarget.value || null)}
                      >
                        <option value="">{t('event.organise.none')}</option>
                        {groups.map((board) => (
                          <option key={board.board} value={board.board}>
                            {board.title}
                          </option>
                        ))}
                      </select>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function GroupingSection({ desk, busy, save }: { desk: EventDesk; busy: boolean; save: (rule: GroupingRule, attribute: string) => void }) {
  const language = useLocale();
  const [rule, setRule] = useState(desk.grouping.rule);
  const [attribute, setAttribute] = useState(desk.grouping.attribute);
  const changed = rule !== desk.grouping.rule || attribute !== desk.grouping.attribute;
  return (
    <section class="panel" aria-labelledby="event-grouping-heading">
      <h2 id="event-grouping-heading">{t('event.create.grouping')}</h2>
      <p class="muted small">{t('event.organise.groupingHint')}</p>
      <form
        class="event-grouping"
        onSubmit={(e) => {
          e.preventDefault();
          save(rule, attribute);
        }}
      >
        <div class="field">
          <label for="organise-grouping-rule">{t('event.grouping.rule')}</label>
          <select
            id="organise-grouping-rule"
            value={rule}
            onChange={(e) => {
              const next = e.currentTarget.value;
              if (isGroupingRule(next)) setRule(next);
            }}
          >
            {GROUPING_RULES.map((option) => (
              <option key={option} value={option}>
                {t(`event.grouping.${option}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="organise-grouping-attribute">{t('event.grouping.attribute')}</label>
          <select id="organise-grouping-attribute" value={attribute} onChange={(e) => setAttribute(e.currentTarget.value)}>
            {desk.attributes.map((option) => (
              <option key={option.id} value={option.id}>
                {labelIn(option.label, language)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy || !changed}>
          {t('event.organise.saveGrouping')}
        </button>
      </form>
    </section>
  );
}

function ExportsSection({ desk, api, token }: { desk: EventDesk; api: Api; token: string }) {
  useLocale();
  return (
    <section class="panel" aria-labelledby="event-exports-heading">
      <h2 id="event-exports-heading">{t('event.organise.exports')}</h2>
      <p class="muted small">{t('event.organise.exportsHint')}</p>
      <Downloads
        formats={EVENT_EXPORT_FORMATS}
        label={(format) => t(`exports.format.${format}`)}
        fetchFile={(format) => api.exportEvent(desk.event, token, format, desk.title)}
      />
    </section>
  );
}

type Loaded = { kind: 'loading' } | { kind: 'refused' } | { kind: 'failed'; reason: string } | { kind: 'ready'; desk: EventDesk };

export function OrganiseApp({ eventId, token, api, credentials }: { eventId: string; token: string; api: Api; credentials: Credentials }) {
  useLocale();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const { busy, error, run } = useAction();
  const links = credentials.eventLinks(eventId);
  // An answer to an older read must not overwrite what an action just gave.
  const generation = useRef(0);
  const show = (desk: EventDesk): void => {
    generation.current += 1;
    setLoaded({ kind: 'ready', desk });
  };
  const refresh = (): void => {
    const asked = generation.current;
    api.desk(eventId, token).then(
      (desk) => {
        if (asked === generation.current) show(desk);
      },
      (failure: unknown) => {
        if (isRefusal(failure)) setLoaded({ kind: 'refused' });
        // Else (offline, busy): keep what is shown; the next refresh tries again.
        else setLoaded((current) => (current.kind === 'ready' ? current : { kind: 'failed', reason: apiFailureText(failure) }));
      },
    );
  };
  useRefreshing(refresh, REFRESH_MS, [eventId, token]);

  switch (loaded.kind) {
    case 'loading':
      return <Loading />;
    case 'refused':
      return <Message title={t('status.refusedToken')} />;
    case 'failed':
      return <Message title={t('organiser.error', { reason: loaded.reason })} />;
    case 'ready':
      break;
  }
  const { desk } = loaded;
  const subtitle = [desk.title, formatDate(desk.date), desk.venue].filter((part) => part.length > 0).join(' · ');
  const presenterUrl = links?.presenter_url ?? null;
  return (
    <>
      <TopBar title={subtitle} />
      <main id="main" class="organise">
        <Poster desk={desk} />
        <JoinSection desk={desk} />
        <PartSwitcher desk={desk} busy={busy} run={(part) => run(async () => show(await api.setPart(eventId, token, part)))} />
        <ErrorLine error={error} />
        <section class="panel" aria-labelledby="event-links-heading">
          <h2 id="event-links-heading">{t('event.organise.projector')}</h2>
          {presenterUrl ? (
            <p>
              <a href={presenterUrl} target="_blank" rel="noopener">
                {t('event.organise.openProjector')}
              </a>
            </p>
          ) : (
            <p class="muted small">{t('event.organise.linksUnknown')}</p>
          )}
        </section>
        <BoardsSection desk={desk} links={links} />
        <ParticipantsSection
          desk={desk}
          busy={busy}
          assign={(participant, kind, board) =>
            run(async () => show(await api.assign(eventId, token, board === null ? { participant, board: null, kind } : { participant, board })))
          }
        />
        <GroupingSection
          key={`${desk.grouping.rule}:${desk.grouping.attribute}`}
          desk={desk}
          busy={busy}
          save={(rule, attribute) => run(async () => show(await api.setGrouping(eventId, token, { rule, attribute })))}
        />
        <ExportsSection desk={desk} api={api} token={token} />
      </main>
    </>
  );
}

export function mount(root: HTMLElement, eventId: string, hashToken: string | null): void {
  const credentials = new Credentials(browserStorage());
  const token = hashToken ?? credentials.eventToken(eventId, 'organiser');
  if (hashToken) {
    credentials.saveEventToken(eventId, 'organiser', hashToken);
    // The token stays on this device, not in the address bar (screens are shared, addresses copied).
    history.replaceState(null, '', `/e/${encodeURIComponent(eventId)}/organise`);
  }
  if (token === null) {
    render(<Message title={t('status.refusedToken')} />, root);
    return;
  }
  render(<OrganiseApp eventId={eventId} token={token} api={new Api()} credentials={credentials} />, root);
}
