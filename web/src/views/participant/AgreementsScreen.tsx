/**
 * The phone in Block 3: propose agreements (what, who, by when), edit or
 * withdraw one's own while still proposed, see every agreement and its
 * status, and join the local networks.
 */
import { useState } from 'preact/hooks';
import {
  type Agreement,
  type Board,
  type ReturnedProposal,
  BoardError,
  LIMITS,
  createAgreement,
  deleteAgreement,
  editAgreement,
  selectAgreements,
  selectMembersByNetwork,
  selectMeta,
  selectNetworks,
  selectOwnMemberships,
  setMembership,
} from '../../board';
import { EMPTY_PROPOSAL, PROPOSAL_DRAFT, type ProposalFields, proposalDraftKey } from '../../device/drafts';
import { usePersistedState } from '../../device/persisted-state';
import { t } from '../../i18n';
import { ReturnedActions, formatDate } from '../../ui/components';
import { PeopleOptions, StatusTag } from '../shared/Block23';
import type { WritingScreenProps } from './screen-props';

/**
 * The three fields of an agreement; `idPrefix` keeps label ids unique when
 * two forms are open. Changes are patches applied to the latest state, so
 * quick input in two fields before a re-render loses nothing.
 */
function AgreementFields({
  board,
  fields,
  onChange,
  idPrefix,
}: {
  board: Board;
  fields: ProposalFields;
  onChange: (patch: Partial<ProposalFields>) => void;
  idPrefix: string;
}) {
  return (
    <>
      <label for={`${idPrefix}-what`}>{t('agreements.what')}</label>
      <textarea
        id={`${idPrefix}-what`}
        rows={2}
        maxLength={LIMITS.agreementWhat}
        value={fields.what}
        onInput={(e) => onChange({ what: e.currentTarget.value })}
      />
      <label for={`${idPrefix}-who`}>{t('agreements.who')}</label>
      <input
        id={`${idPrefix}-who`}
        maxLength={LIMITS.agreementWho}
        placeholder={t('agreements.whoPlaceholder')}
        list={`${idPrefix}-who-options`}
        value={fields.who}
        onInput={(e) => onChange({ who: e.currentTarget.value })}
      />
      <PeopleOptions board={board} id={`${idPrefix}-who-options`} />
      <label for={`${idPrefix}-due`}>{t('agreements.due')}</label>
      <input id={`${idPrefix}-due`} type="date" value={fields.due} onInput={(e) => onChange({ due: e.currentTarget.value })} />
    </>
  );
}

interface ProposeProps {
  board: Board;
  participantId: string;
  draft: [ProposalFields, (change: (current: ProposalFields) => ProposalFields) => void];
  /** Resolves once the device has stored every change (Connection.whenStored). */
  whenStored: () => Promise<boolean>;
}

/**
 * "Saved" only once it is, as for cards: the device's copy is what survives
 * a reload while the Wi-Fi is down. A proposal the lock would refuse is not
 * written and its text stays in the form.
 */
function ProposeForm({ board, participantId, draft, whenStored }: ProposeProps) {
  const [fields, setFields] = draft;
  const [notice, setNotice] = useState('');
  const submit = (): void => {
    if (!fields.what.trim()) return;
    try {
      createAgreement(board, { what: fields.what, who: fields.who, due: fields.due || null, author: participantId });
    } catch (error) {
      if (error instanceof BoardError) {
        setNotice(t(error.code === 'closed' ? 'agreements.closedKept' : 'agreements.notProposed'));
        return;
      }
      throw error;
    }
    setFields(() => EMPTY_PROPOSAL);
    setNotice(t('agreements.saving'));
    void whenStored().then((stored) => setNotice(t(stored ? 'agreements.proposed' : 'agreements.proposedNotStored')));
  };
  return (
    <form
      class="panel form"
      aria-labelledby="propose-heading"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2 id="propose-heading">{t('agreements.proposeHeading')}</h2>
      <AgreementFields
        board={board}
        fields={fields}
        idPrefix="propose"
        onChange={(patch) => {
          setNotice('');
          setFields((current) => ({ ...current, ...patch }));
        }}
      />
      <button type="submit" class="primary" disabled={!fields.what.trim()}>
        {t('agreements.propose')}
      </button>
      <p class="small" role="status" aria-live="polite">
        {notice}
      </p>
    </form>
  );
}

function AgreementItem({ board, agreement, mine, open }: { board: Board; agreement: Agreement; mine: boolean; open: boolean }) {
  const [editing, setEditing] = useState<ProposalFields | null>(null);
  // Offered only while proposals are open: the server may refuse changes after the moderator closed them.
  const editable = mine && open && agreement.status === 'proposed';
  if (editing !== null && editable) {
    return (
      <li class="agreement">
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!editing.what.trim()) return;
            editAgreement(board, agreement.id, { what: editing.what, who: editing.who, due: editing.due || null });
            setEditing(null);
          }}
        >
          <AgreementFields
            board={board}
            fields={editing}
            onChange={(patch) => setEditing((current) => (current === null ? null : { ...current, ...patch }))}
            idPrefix={`edit-${agreement.id}`}
          />
          <div class="button-row">
            <button type="submit" class="primary">
              {t('participant.save')}
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              {t('participant.cancel')}
            </button>
          </div>
        </form>
      </li>
    );
  }
  return (
    <li class={`agreement agreement-${agreement.status}`}>
      <p class="agreement-what">{agreement.what}</p>
      <p class="agreement-meta">
        <StatusTag status={agreement.status} />
        {mine && agreement.status === 'proposed' && <span class="tag">{t('agreements.mine')}</span>}
        {agreement.who && (
          <span>
            <span class="agreement-label">{t('agreements.who')}:</span> {agreement.who}
          </span>
        )}
        {agreement.due && (
          <span>
            <span class="agreement-label">{t('agreements.due')}:</span> {formatDate(agreement.due)}
          </span>
        )}
      </p>
      {editable && (
        <div class="button-row">
          <button type="button" onClick={() => setEditing({ what: agreement.what, who: agreement.who, due: agreement.due ?? '' })}>
            {t('participant.edit')}
          </button>
          <button type="button" class="danger" onClick={() => deleteAgreement(board, agreement.id)}>
            {t('agreements.withdraw')}
          </button>
        </div>
      )}
    </li>
  );
}

function Networks({ board, participantId }: { board: Board; participantId: string }) {
  const networks = selectNetworks(board);
  const members = selectMembersByNetwork(board);
  const own = selectOwnMemberships(board, participantId);
  return (
    <section class="panel" aria-labelledby="networks-choice-heading">
      <h2 id="networks-choice-heading">{t('networks.heading')}</h2>
      <p class="small">{t('networks.hint')}</p>
      {networks.length === 0 && <p class="muted">{t('networks.none')}</p>}
      {networks.map((network) => (
        <label key={network.id} class="focal-option">
          <input type="checkbox" checked={own.has(network.id)} onChange={(e) => setMembership(board, participantId, network.id, e.currentTarget.checked)} />
          <span class="focal-option-title">{network.title}</span>
          <span class="focal-option-count">{t('networks.members', { n: members.get(network.id)?.length ?? 0 })}</span>
        </label>
      ))}
    </section>
  );
}

/**
 * Own proposals the server refused (made offline after proposals closed) or
 * the moderator deleted: their text stays until proposed again or let go.
 */
function ReturnedProposals({
  returned,
  open,
  onProposeAgain,
  onDiscard,
}: {
  returned: ReturnedProposal[];
  open: boolean;
  onProposeAgain: (proposal: ReturnedProposal) => void;
  onDiscard: (proposal: ReturnedProposal) => void;
}) {
  if (returned.length === 0) return null;
  return (
    <section class="panel returned" aria-labelledby="returned-proposals-heading">
      <h2 id="returned-proposals-heading">{t('agreements.returnedHeading')}</h2>
      <p class="small">{open ? t('agreements.returnedHint') : t('agreements.returnedHintClosed')}</p>
      <ul class="agreement-list">
        {returned.map((proposal) => (
          <li key={proposal.id} class="agreement">
            <p class="agreement-what">{proposal.what}</p>
            {proposal.who && (
              <p class="small">
                <span class="agreement-label">{t('agreements.who')}:</span> {proposal.who}
              </p>
            )}
            <ReturnedActions
              open={open}
              againLabel={t('agreements.proposeAgain')}
              onAgain={() => onProposeAgain(proposal)}
              onDiscard={() => onDiscard(proposal)}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

export function AgreementsScreen({
  board,
  boardId,
  participantId,
  whenStored,
  returned,
  onReturnedDone,
}: WritingScreenProps<ReturnedProposal>) {
  const meta = selectMeta(board);
  const agreements = selectAgreements(board);
  // Held here, not in the form: while proposals are closed the form is gone
  // but the draft is kept. It survives a reload too (like the card
  // composer's draft): nothing typed is lost.
  const draft = usePersistedState(proposalDraftKey(boardId), PROPOSAL_DRAFT);
  const [fields, setFields] = draft;
  const hasDraft = fields.what.trim() !== '';
  return (
    <>
      {meta.agreementsOpen ? (
        <ProposeForm board={board} participantId={participantId} draft={draft} whenStored={whenStored} />
      ) : (
        <p class="banner">
          {t('agreements.closed')}
          {hasDraft && ` ${t('agreements.draftKept')}`}
        </p>
      )}
      <ReturnedProposals
        returned={returned}
        open={meta.agreementsOpen}
        onProposeAgain={(proposal) => {
          // Into the form; what is typed there already is not overwritten.
          if (!fields.what.trim()) setFields(() => ({ what: proposal.what, who: proposal.who, due: proposal.due ?? '' }));
          else setFields((current) => ({ ...current, what: `${current.what}\n${proposal.what}` }));
          onReturnedDone(proposal);
        }}
        onDiscard={onReturnedDone}
      />
      <section class="panel" aria-labelledby="agreement-list-heading">
        <h2 id="agreement-list-heading">{t('agreements.heading')}</h2>
        {agreements.length === 0 && <p class="muted">{t('agreements.none')}</p>}
        <ul class="agreement-list">
          {agreements.map((a) => (
            <AgreementItem key={a.id} board={board} agreement={a} mine={a.author === participantId} open={meta.agreementsOpen} />
          ))}
        </ul>
      </section>
      <Networks board={board} participantId={participantId} />
    </>
  );
}
