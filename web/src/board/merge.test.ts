/**
 * Two clients edit the same board while disconnected, then exchange updates
 * (Y.applyUpdate both ways). Both must end in the same state and no card may
 * be lost.
 */
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { Board } from './board';
import { createCard, editCard, selectCards, setCardCluster } from './cards';
import { createCluster, deleteCluster, mergeClusters, selectCardsByCluster, selectClusters } from './clusters';
import { initBoard } from './meta';
import { selectParticipants, setProfile } from './participants';
import { castVote, selectVoteTotals, startVoting } from './votes';
import { seeded, sync } from './test-helpers';
import { addAgendaItems, pauseTimer, selectPhase, startPhase } from './agenda';
import { createAgreement, createNetwork, editAgreement, selectAgreements, selectMembersByNetwork, setAgreementStatus, setMembership } from './agreements';
import { createCase, createNote, deleteFocalPoint, selectCaseMap, selectFocalPoints, selectNotes, setPlacement } from './cases';

function pair(): [Board, Board] {
  const moderator = new Board(new Y.Doc(), {});
  initBoard(moderator, { title: 'Stadtteilkonferenz Sandow', district: 'Sandow' });
  const phone = new Board(new Y.Doc());
  sync(moderator.doc, phone.doc);
  return [moderator, phone];
}

function expectConverged(a: Board, b: Board): void {
  // Compare every top-level type (doc.toJSON only lists types a client touched).
  expect(a.sharedTypes().map((t) => t.toJSON() as unknown)).toEqual(b.sharedTypes().map((t) => t.toJSON() as unknown));
  expect(Y.encodeStateVector(a.doc)).toEqual(Y.encodeStateVector(b.doc));
}

describe('concurrent edits converge', () => {
  it('cards written on a phone offline and clusters made meanwhile', () => {
    const [moderator, phone] = pair();
    setProfile(phone, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    const offline1 = createCard(phone, { text: 'Kita-Plätze fehlen', kind: 'need', author: 'pa00000001' });
    const offline2 = createCard(phone, { text: 'Elterncafé', kind: 'offer', author: 'pa00000001' });
    const cluster = createCluster(moderator, 'Kinderbetreuung');
    const modCard = createCard(moderator, { text: 'Schulwege', kind: 'situation', author: 'moderator' });
    setCardCluster(moderator, modCard, cluster);

    sync(moderator.doc, phone.doc);

    expectConverged(moderator, phone);
    expect(selectCards(moderator).map((c) => c.id).sort()).toEqual([offline1, offline2, modCard].sort());
    expect(selectParticipants(moderator).map((p) => p.name)).toEqual(['Anna']);
  });

  it('an edit of the text and a move into a cluster of the same card both survive', () => {
    const [moderator, phone] = pair();
    const card = createCard(phone, { text: 'Wohnungen', kind: 'need', author: 'pa00000001' });
    const cluster = createCluster(moderator, 'Wohnen');
    sync(moderator.doc, phone.doc);

    editCard(phone, card, { text: 'Große Wohnungen für Familien fehlen' });
    setCardCluster(moderator, card, cluster);
    sync(moderator.doc, phone.doc);

    expectConverged(moderator, phone);
    expect(selectCards(phone)[0]).toMatchObject({ text: 'Große Wohnungen für Familien fehlen', cluster });
  });

  it('a card dropped into a cluster that is deleted concurrently stays on the wall', () => {
    const [a, b] = [pair()[0], new Board(new Y.Doc(), {})];
    sync(a.doc, b.doc);
    const cluster = createCluster(a, 'Gesundheit');
    const card = createCard(a, { text: 'Kinderärzte fehlen', kind: 'need', author: 'pa00000002' });
    sync(a.doc, b.doc);

    deleteCluster(a, cluster);
    setCardCluster(b, card, cluster);
    sync(a.doc, b.doc);

    expectConverged(a, b);
    const { unclustered, byCluster } = selectCardsByCluster(a);
    expect(byCluster.size).toBe(0);
    expect(unclustered.map((c) => c.id)).toEqual([card]);
  });

  it('merge on one side, votes on the other: totals agree on both', () => {
    const [moderator, phone] = pair();
    const source = createCluster(moderator, 'Deutschkurse');
    const target = createCluster(moderator, 'Sprache');
    startVoting(moderator, 3);
    sync(moderator.doc, phone.doc);

    castVote(phone, 'pa00000001', source);
    castVote(phone, 'pa00000001', target);
    mergeClusters(moderator, source, target);
    sync(moderator.doc, phone.doc);

    expectConverged(moderator, phone);
    expect(selectClusters(phone).map((c) => c.id)).toEqual([target]);
    // The vote on the merged-away cluster arrived after the merge: it no longer
    // counts (its cluster is gone), which both sides agree on.
    expect(selectVoteTotals(phone)).toEqual(selectVoteTotals(moderator));
    expect(selectVoteTotals(phone).get(target)).toBe(1);
  });

  it('a seeded random scenario of three clients converges', () => {
    const random = seeded(42);
    const boards = [new Board(new Y.Doc(), {}), new Board(new Y.Doc()), new Board(new Y.Doc())];
    const [first] = boards as [Board, Board, Board];
    initBoard(first, { title: 'Serie', district: 'Schmellwitz' });
    startVoting(first, 5);
    for (let round = 0; round < 30; round++) {
      for (const [index, board] of boards.entries()) {
        const author = `pa0000000${index}`;
        const clusters = selectClusters(board);
        const cards = selectCards(board);
        const roll = random();
        if (roll < 0.35) createCard(board, { text: `Karte ${round}/${index}`, kind: 'need', author });
        else if (roll < 0.5) createCluster(board, `Cluster ${round}/${index}`);
        else if (roll < 0.75 && cards.length > 0 && clusters.length > 0) {
          const card = cards[Math.floor(random() * cards.length)];
          const cluster = clusters[Math.floor(random() * clusters.length)];
          if (card && cluster) setCardCluster(board, card.id, cluster.id);
        } else if (roll < 0.85 && clusters.length > 1) {
          const [x, y] = clusters;
          if (x && y) mergeClusters(board, x.id, y.id);
        } else if (clusters.length > 0) {
          const cluster = clusters[Math.floor(random() * clusters.length)];
          if (cluster) castVote(board, author, cluster.id);
        }
      }
      // sync a random pair each round, everyone at the end
      const i = Math.floor(random() * 3);
      const j = (i + 1) % 3;
      sync((boards[i] as Board).doc, (boards[j] as Board).doc);
    }
    for (let k = 0; k < 2; k++) {
      for (const [i, a] of boards.entries()) {
        for (const b of boards.slice(i + 1)) sync(a.doc, b.doc);
      }
    }
    const [a, b, c] = boards as [Board, Board, Board];
    expectConverged(a, b);
    expectConverged(b, c);
    const created = selectCards(a).length;
    expect(created).toBeGreaterThan(0);
    const { unclustered, byCluster } = selectCardsByCluster(a);
    const placed = unclustered.length + [...byCluster.values()].reduce((n, l) => n + l.length, 0);
    expect(placed).toBe(created); // every card is somewhere on the wall
  });

  it('Block 2: phones place themselves offline while the moderator spotlights, notes and deletes a focal point', () => {
    const [moderator, phone] = pair();
    const caseId = createCase(moderator, {
      title: 'Familie A.',
      framework: 'asylblg',
      story: '',
      focalPoints: ['Wohnen', 'Sprachkurs', 'Gesundheit'],
    });
    const [phase] = addAgendaItems(moderator, [{ title: 'Block 2', kind: 'cases', minutes: 75 }]) as [string];
    setProfile(phone, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    sync(moderator.doc, phone.doc);
    const [wohnen, sprache, gesundheit] = selectFocalPoints(phone, caseId).map((fp) => fp.id) as [string, string, string];

    // Offline on the phone: several placements at once.
    setPlacement(phone, 'pa00000001', wohnen, true);
    setPlacement(phone, 'pa00000001', sprache, true);
    setPlacement(phone, 'pa00000001', gesundheit, true);
    // Meanwhile the moderator runs the phase, notes, and deletes a focal point.
    startPhase(moderator, phase, 1_741_078_800_000);
    createNote(moderator, sprache, 'legal', 'Integrationskurs');
    deleteFocalPoint(moderator, gesundheit);
    sync(moderator.doc, phone.doc);

    expectConverged(moderator, phone);
    expect(selectPhase(phone)?.id).toBe(phase);
    expect(selectNotes(phone, sprache).map((n) => n.text)).toEqual(['Integrationskurs']);
    // The placement on the deleted focal point arrived after the delete and
    // stays as a key, but no reader shows it: both sides agree.
    const map = selectCaseMap(phone, caseId);
    expect(map?.points.map((p) => [p.focalPoint.title, p.people.map((x) => x.name)])).toEqual([
      ['Wohnen', ['Anna']],
      ['Sprachkurs', ['Anna']],
    ]);
    expect(map?.overlaps).toHaveLength(1);
    expect(selectCaseMap(moderator, caseId)).toEqual(map);
  });

  it('Block 3: a proposal edited on the phone while the moderator confirms it keeps both changes', () => {
    const [moderator, phone] = pair();
    const network = createNetwork(moderator, 'Netzwerk Sandow');
    setProfile(phone, 'pa00000001', { name: 'Anna', organisation: 'Kita', sector: 'stadtteil' });
    const proposal = createAgreement(phone, { what: 'Sprachkurs mit Kinderbetreuung', who: 'Kita', author: 'pa00000001' });
    sync(moderator.doc, phone.doc);

    editAgreement(phone, proposal, { who: 'Kita Sonnenschein, Jobcenter', due: '2025-06-30' });
    setMembership(phone, 'pa00000001', network, true);
    setAgreementStatus(moderator, proposal, 'confirmed');
    pauseTimer(moderator);
    sync(moderator.doc, phone.doc);

    expectConverged(moderator, phone);
    expect(selectAgreements(moderator)).toEqual([
      expect.objectContaining({ what: 'Sprachkurs mit Kinderbetreuung', who: 'Kita Sonnenschein, Jobcenter', due: '2025-06-30', status: 'confirmed' }),
    ]);
    expect(selectMembersByNetwork(moderator).get(network)?.map((p) => p.name)).toEqual(['Anna']);
  });
});
