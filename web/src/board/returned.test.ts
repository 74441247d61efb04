import { describe, expect, it } from 'vitest';
import { createAgreement, deleteAgreement, setAgreementStatus } from './agreements';
import { createCard, deleteCard } from './cards';
import { type ReturnedCard, type ReturnedProposal, watchReturnedCards, watchReturnedProposals } from './returned';
import { makeBoard, sync } from './test-helpers';

describe('returned cards', () => {
  it('keeps the text of an own card the server took back, and only that', () => {
    const phone = makeBoard();
    const server = makeBoard();
    const returned: ReturnedCard[] = [];
    const stop = watchReturnedCards(phone, 'pa00000001', (card) => returned.push(card));

    // Written while offline; writing was closed meanwhile, so the server
    // refuses the card: it reaches the phone as a deletion.
    const refused = createCard(phone, { text: 'Hausaufgabenhilfe fehlt', kind: 'need', author: 'pa00000001' });
    const kept = createCard(phone, { text: 'Sprachcafé', kind: 'offer', author: 'pa00000001' });
    const other = createCard(server, { text: 'Andere Karte', kind: 'need', author: 'pa00000002' });
    sync(phone.doc, server.doc);
    deleteCard(server, refused);
    deleteCard(server, other);
    sync(phone.doc, server.doc);

    expect(returned).toEqual([{ id: refused, kind: 'need', text: 'Hausaufgabenhilfe fehlt' }]);

    // Deleting an own card on the phone itself is no loss.
    deleteCard(phone, kept);
    expect(returned).toHaveLength(1);
    stop();
  });

  it('keeps an own proposal the server took back, but not one the moderator decided on', () => {
    const phone = makeBoard();
    const server = makeBoard();
    const returned: ReturnedProposal[] = [];
    const stop = watchReturnedProposals(phone, 'pa00000001', (proposal) => returned.push(proposal));

    const refused = createAgreement(phone, { what: 'Elterncafé im Bürgerhaus', who: 'Kita Sonnenschein', due: '2026-12-01', author: 'pa00000001' });
    const confirmed = createAgreement(phone, { what: 'Sprachcafé', who: '', due: null, author: 'pa00000001' });
    sync(phone.doc, server.doc);
    setAgreementStatus(server, confirmed, 'confirmed');
    deleteAgreement(server, refused);
    sync(phone.doc, server.doc);
    expect(returned).toEqual([{ id: refused, what: 'Elterncafé im Bürgerhaus', who: 'Kita Sonnenschein', due: '2026-12-01' }]);

    // Confirmed is the moderator's now: deleting it later returns nothing.
    deleteAgreement(server, confirmed);
    sync(phone.doc, server.doc);
    expect(returned).toHaveLength(1);
    stop();
  });
});
