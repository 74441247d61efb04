/**
 * Read-only pieces of Blocks 2 and 3 shared by the presenter, the watch view
 * and the phones: the spotlight on one focal point (who is there, the notes
 * in five categories), the agreements, the networks and the agenda.
 */
import {
  type Agreement,
  type Board,
  NOTE_CATEGORIES,
  selectAgenda,
  selectAgreements,
  selectCase,
  selectFocalPoint,
  selectMembersByNetwork,
  selectMeta,
  selectNetworks,
  selectNotesByCategory,
  selectPeopleByFocalPoint,
  selectParticipant,
  selectParticipants,
} from '../../board';
import { t } from '../../i18n';
import { formatDate } from '../../ui/components';
import { Person, SectorLegend, peopleCount } from './CaseMap';

export function FocalSpotlight({ board, focalPointId, heading: Heading = 'h2' }: { board: Board; focalPointId: string; heading?: 'h1' | 'h2' }) {
  const focalPoint = selectFocalPoint(board, focalPointId);
  if (!focalPoint) return null;
  const parent = selectCase(board, focalPoint.case);
  const people = selectPeopleByFocalPoint(board).get(focalPointId) ?? [];
  const notes = selectNotesByCategory(board, focalPointId);
  const anyNotes = [...notes.values()].some((list) => list.length > 0);
  const Sub = Heading === 'h1' ? 'h2' : 'h3';
  return (
    <section class="spotlight" aria-labelledby={`spotlight-${focalPointId}`}>
      <p class="spotlight-eyebrow">
        {t('spotlight.label')}
        {parent && ` · ${parent.title}`}
      </p>
      <Heading id={`spotlight-${focalPointId}`} class="spotlight-title">
        {focalPoint.title}
      </Heading>
      <div class="spotlight-body">
        <section class="spotlight-people" aria-label={t('spotlight.people')}>
          <Sub>{peopleCount(people.length)}</Sub>
          {people.length === 0 ? (
            <p class="muted">{t('spotlight.nobody')}</p>
          ) : (
            <ul class="people">
              {people.map((person) => (
                <Person key={person.id} person={person} />
              ))}
            </ul>
          )}
          {people.length > 0 && <SectorLegend />}
        </section>
        <section class="spotlight-notes" aria-label={t('spotlight.notes')}>
          {!anyNotes && <p class="muted">{t('spotlight.noNotes')}</p>}
          {NOTE_CATEGORIES.map((category) => {
            const list = notes.get(category) ?? [];
            if (list.length === 0) return null;
            return (
              <section key={category} class={`note-group note-${category}`}>
                <Sub>{t(`noteCategory.${category}`)}</Sub>
                <ul class="note-list">
                  {list.map((note) => (
                    <li key={note.id} class="note-text">
                      {note.text}
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
        </section>
      </div>
    </section>
  );
}

/**
 * Suggestions for an agreement's "who": the names and organisations of the
 * people present, for a `<input list>`; free text stays possible.
 */
export function PeopleOptions({ board, id }: { board: Board; id: string }) {
  const options = new Set<string>();
  for (const person of selectParticipants(board)) {
    options.add(person.name);
    if (person.organisation) options.add(person.organisation);
  }
  return (
    <datalist id={id}>
      {[...options].sort((a, b) => a.localeCompare(b, 'de')).map((option) => (
        <option key={option} value={option} />
      ))}
    </datalist>
  );
}

export function authorName(board: Board, agreement: Agreement): string {
  if (agreement.author === 'moderator') return t('agreements.byModerator');
  return selectParticipant(board, agreement.author)?.name ?? '';
}

export function StatusTag({ status }: { status: Agreement['status'] }) {
  return <span class={`tag status-${status}`}>{t(`agreementStatus.${status}`)}</span>;
}

/** Agreements that are not dropped: what, who, by when, status. */
export function AgreementList({ board, heading: Heading = 'h2' }: { board: Board; heading?: 'h1' | 'h2' }) {
  const agreements = selectAgreements(board);
  return (
    <section class="agreements" aria-labelledby="agreements-heading">
      <Heading id="agreements-heading">{t('agreements.heading')}</Heading>
      {agreements.length === 0 && <p class="muted">{t('agreements.none')}</p>}
      <ul class="agreement-list">
        {agreements.map((a) => (
          <li key={a.id} class={`agreement agreement-${a.status}`} data-agreement={a.id}>
            <p class="agreement-what">{a.what}</p>
            <p class="agreement-meta">
              <StatusTag status={a.status} />
              {a.who && (
                <span>
                  <span class="agreement-label">{t('agreements.who')}:</span> {a.who}
                </span>
              )}
              {a.due && (
                <span>
                  <span class="agreement-label">{t('agreements.due')}:</span> {formatDate(a.due)}
                </span>
              )}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The local networks and who joins each. */
export function NetworkList({ board, heading: Heading = 'h2' }: { board: Board; heading?: 'h1' | 'h2' }) {
  const networks = selectNetworks(board);
  const members = selectMembersByNetwork(board);
  const Sub = Heading === 'h1' ? 'h2' : 'h3';
  return (
    <section class="networks" aria-labelledby="networks-heading">
      <Heading id="networks-heading">{t('networks.heading')}</Heading>
      {networks.length === 0 && <p class="muted">{t('networks.none')}</p>}
      <div class="network-grid">
        {networks.map((network) => {
          const list = members.get(network.id) ?? [];
          return (
            <section key={network.id} class="network" aria-label={network.title}>
              <Sub>{network.title}</Sub>
              <p class="muted">{t('networks.members', { n: list.length })}</p>
              <ul class="people">
                {list.map((person) => (
                  <Person key={person.id} person={person} />
                ))}
              </ul>
            </section>
          );
        })}
      </div>
      {[...members.values()].some((list) => list.length > 0) && <SectorLegend />}
    </section>
  );
}

/** The agenda with the running phase marked. */
export function AgendaList({ board, heading: Heading = 'h2' }: { board: Board; heading?: 'h1' | 'h2' }) {
  const agenda = selectAgenda(board);
  const { phase } = selectMeta(board);
  return (
    <section class="agenda" aria-labelledby="agenda-heading">
      <Heading id="agenda-heading">{t('agenda.heading')}</Heading>
      {agenda.length === 0 && <p class="muted">{t('agenda.none')}</p>}
      <ol class="agenda-list">
        {agenda.map((item) => (
          <li key={item.id} class={item.id === phase ? 'agenda-item current' : 'agenda-item'} aria-current={item.id === phase ? 'step' : undefined}>
            <span class="agenda-time">{item.start ?? ''}</span>
            <span class="agenda-title">{item.title}</span>
            <span class="agenda-minutes">{t('agenda.minutes', { n: item.minutes })}</span>
            {item.id === phase && <span class="tag">{t('agenda.now')}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}
