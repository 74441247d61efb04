/**
 * Block 3 for the moderator: agreements (participants' proposals to
 * confirm, edit or drop, and the moderator's own), and the local networks
 * with their members.
 */
import { useState } from 'preact/hooks';
import {
  type Agreement,
  type Board,
  LIMITS,
  MODERATOR_AUTHOR,
  createAgreement,
  createNetwork,
  deleteAgreement,
  deleteNetwork,
  editAgreement,
  renameNetwork,
  selectAgreements,
  selectMembersByNetwork,
  selectMeta,
  selectNetworks,
  setAgreementStatus,
  setAgreementsOpen,
  setFocus,
} from '../../board';
import { t } from '../../i18n';
import { PeopleOptions, StatusTag, authorName } from '../shared/Block23';
import { SectorTags } from '../shared/CaseMap';
import { InlineEdit } from '../shared/InlineEdit';

function NewAgreementForm({ board }: { board: Board }) {
  const [what, setWhat] = useState('');
  const [who, setWho] = useState('');
  const [due, setDue] = useState('');
  return (
    <form
      class="agreement-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!what.trim()) return;
        createAgreement(board, { what, who, due: due || null, author: MODERATOR_AUTHOR, status: 'confirmed' });
        setWhat('');
        setWho('');
        setDue('');
      }}
    >
      <div class="field field-wide">
        <label for="agreement-what">{t('agreements.what')}</label>
        <input id="agreement-what" value={what} maxLength={LIMITS.agreementWhat} onInput={(e) => setWhat(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="agreement-who">{t('agreements.who')}</label>
        <input id="agreement-who" list="agreement-who-options" value={who} maxLength={LIMITS.agreementWho} onInput={(e) => setWho(e.currentTarget.value)} />
        <PeopleOptions board={board} id="agreement-who-options" />
      </div>
      <div class="field">
        <label for="agreement-due">{t('agreements.due')}</label>
        <input id="agreement-due" type="date" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
      </div>
      <button type="submit" class="primary">
        {t('agreements.add')}
      </button>
    </form>
  );
}

function AgreementRow({ board, agreement }: { board: Board; agreement: Agreement }) {
  const by = authorName(board, agreement);
  const short = agreement.what.slice(0, 60);
  return (
    <li class={`agreement-row agreement-${agreement.status}`} data-agreement-row={agreement.what}>
      <InlineEdit
        value={agreement.what}
        label={t('agreements.editWhat')}
        maxLength={LIMITS.agreementWhat}
        onCommit={(what) => editAgreement(board, agreement.id, { what })}
      />
      <InlineEdit
        value={agreement.who}
        label={t('agreements.editWho', { what: short })}
        placeholder={t('agreements.who')}
        allowEmpty
        maxLength={LIMITS.agreementWho}
        onCommit={(who) => editAgreement(board, agreement.id, { who })}
      />
      <input
        type="date"
        aria-label={t('agreements.editDue', { what: short })}
        value={agreement.due ?? ''}
        onChange={(e) => editAgreement(board, agreement.id, { due: e.currentTarget.value || null })}
      />
      <span class="agreement-status">
        <StatusTag status={agreement.status} />
        {by && <span class="small muted">{t('agreements.by', { name: by })}</span>}
      </span>
      <span class="agreement-actions">
        {agreement.status === 'proposed' && (
          <button type="button" class="primary" aria-label={t('agreements.confirmOf', { what: short })} onClick={() => setAgreementStatus(board, agreement.id, 'confirmed')}>
            {t('agreements.confirm')}
          </button>
        )}
        {agreement.status === 'confirmed' && (
          <button type="button" aria-label={t('agreements.doneOf', { what: short })} onClick={() => setAgreementStatus(board, agreement.id, 'done')}>
            {t('agreements.done')}
          </button>
        )}
        {agreement.status !== 'dropped' ? (
          <button type="button" class="danger" aria-label={t('agreements.dropOf', { what: short })} onClick={() => setAgreementStatus(board, agreement.id, 'dropped')}>
            {t('agreements.drop')}
          </button>
        ) : (
          <button type="button" aria-label={t('agreements.restoreOf', { what: short })} onClick={() => setAgreementStatus(board, agreement.id, 'proposed')}>
            {t('agreements.restore')}
          </button>
        )}
        <button type="button" class="icon-button danger" aria-label={t('agreements.deleteOf', { what: short })} onClick={() => deleteAgreement(board, agreement.id)}>
          <span aria-hidden="true">✕</span>
        </button>
      </span>
    </li>
  );
}

function Networks({ board }: { board: Board }) {
  const [title, setTitle] = useState('');
  const networks = selectNetworks(board);
  const members = selectMembersByNetwork(board);
  return (
    <section class="editor-section" aria-labelledby="networks-editor-heading">
      <h2 id="networks-editor-heading">{t('networks.heading')}</h2>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!title.trim()) return;
          createNetwork(board, title);
          setTitle('');
        }}
      >
        <label for="new-network">{t('networks.newTitle')}</label>
        <input id="new-network" value={title} maxLength={LIMITS.title} onInput={(e) => setTitle(e.currentTarget.value)} />
        <button type="submit">{t('networks.add')}</button>
      </form>
      {networks.length === 0 && <p class="muted">{t('networks.none')}</p>}
      <ul class="network-rows">
        {networks.map((network) => {
          const list = members.get(network.id) ?? [];
          return (
            <li key={network.id} class="network-row">
              <InlineEdit value={network.title} label={t('networks.titleOf')} maxLength={LIMITS.title} onCommit={(next) => renameNetwork(board, network.id, next)} />
              <span>
                {t('networks.members', { n: list.length })}
                {list.length > 0 && `: ${list.map((p) => p.name).join(', ')}`} <SectorTags people={list} />
              </span>
              <button type="button" class="icon-button danger" aria-label={t('networks.delete', { title: network.title })} onClick={() => deleteNetwork(board, network.id)}>
                <span aria-hidden="true">✕</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function AgreementsEditor({ board }: { board: Board }) {
  const meta = selectMeta(board);
  const all = selectAgreements(board, { includeDropped: true });
  const proposed = all.filter((a) => a.status === 'proposed');
  const decided = all.filter((a) => a.status === 'confirmed' || a.status === 'done');
  const dropped = all.filter((a) => a.status === 'dropped');
  const list = (items: Agreement[]) => (
    <ul class="agreement-rows">
      {items.map((a) => (
        <AgreementRow key={a.id} board={board} agreement={a} />
      ))}
    </ul>
  );
  return (
    <section class="editor" aria-labelledby="agreements-editor-heading">
      <div class="editor-toolbar">
        <h2 id="agreements-editor-heading">{t('agreements.heading')}</h2>
        <button type="button" aria-pressed={meta.focus.kind === 'agreements'} onClick={() => setFocus(board, { kind: 'agreements' })}>
          {t('agreements.show')}
        </button>
        <button type="button" aria-pressed={meta.focus.kind === 'networks'} onClick={() => setFocus(board, { kind: 'networks' })}>
          {t('networks.show')}
        </button>
        <p class="lock-line">
          {t('run.lock.agreements')}: <strong>{meta.agreementsOpen ? t('run.open') : t('run.closed')}</strong>{' '}
          <button type="button" onClick={() => setAgreementsOpen(board, !meta.agreementsOpen)}>
            {meta.agreementsOpen ? t('run.close.agreements') : t('run.open.agreements')}
          </button>
        </p>
      </div>
      <NewAgreementForm board={board} />
      <section class="editor-section" aria-labelledby="proposed-heading">
        <h3 id="proposed-heading">{t('agreements.proposals', { n: proposed.length })}</h3>
        {proposed.length === 0 ? <p class="muted">{t('agreements.noProposals')}</p> : list(proposed)}
      </section>
      <section class="editor-section" aria-labelledby="decided-heading">
        <h3 id="decided-heading">{t('agreements.decided', { n: decided.length })}</h3>
        {decided.length === 0 ? <p class="muted">{t('agreements.none')}</p> : list(decided)}
      </section>
      {dropped.length > 0 && (
        <details class="editor-section">
          <summary>{t('agreements.dropped', { n: dropped.length })}</summary>
          {list(dropped)}
        </details>
      )}
      <Networks board={board} />
    </section>
  );
}
