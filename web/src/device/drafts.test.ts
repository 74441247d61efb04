/**
 * A phone that updates the app keeps what it had typed: every value is read
 * exactly as the earlier versions stored it (these strings are their
 * output), and written back in the same form.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../sync/credentials';
import {
  CARD_DRAFT,
  CARD_EDIT,
  PROPOSAL_DRAFT,
  RETURNED_CARDS,
  RETURNED_PROPOSALS,
  cardDraftKey,
  cardEditKey,
  proposalDraftKey,
  returnedCardsKey,
  returnedProposalsKey,
} from './drafts';
import { loadStored, saveStored } from './persisted-state';

function storedAs(key: string, value: string): MemoryStorage {
  const storage = new MemoryStorage();
  storage.setItem(key, value);
  return storage;
}

describe('drafts kept on the device', () => {
  it('reads the card draft under its old key and format, and writes it the same way', () => {
    const key = cardDraftKey('b0ard1d');
    expect(key).toBe('kartenwand.draft.b0ard1d');
    const storage = storedAs(key, '{"kind":"offer","text":"Sprachkurs\\nmontags"}');
    expect(loadStored(storage, key, CARD_DRAFT)).toEqual({ kind: 'offer', text: 'Sprachkurs\nmontags' });
    saveStored(storage, key, CARD_DRAFT, { kind: 'need', text: 'Kita' });
    expect(storage.getItem(key)).toBe('{"kind":"need","text":"Kita"}');
  });

  it('starts with an empty need when the card draft is missing or does not fit', () => {
    const key = cardDraftKey('b0ard1d');
    for (const stored of [null, 'null', '{"kind":"vote","text":"x"}', '{"kind":"need"}', 'not json']) {
      const storage = stored === null ? new MemoryStorage() : storedAs(key, stored);
      expect(loadStored(storage, key, CARD_DRAFT)).toEqual({ kind: 'need', text: '' });
    }
  });

  it('reads an edit in progress as plain text under its old key, and removes it when done', () => {
    const key = cardEditKey('card0001');
    expect(key).toBe('kartenwand.edit.card0001');
    const storage = storedAs(key, 'Mehr Plätze {"not": "json"}');
    expect(loadStored(storage, key, CARD_EDIT)).toBe('Mehr Plätze {"not": "json"}');
    expect(loadStored(new MemoryStorage(), key, CARD_EDIT)).toBeNull();
    saveStored(storage, key, CARD_EDIT, null);
    expect(storage.getItem(key)).toBeNull();
    expect(storage.length).toBe(0);
  });

  it('reads the proposal draft under its old key and format', () => {
    const key = proposalDraftKey('b0ard1d');
    expect(key).toBe('kartenwand.proposal.b0ard1d');
    const storage = storedAs(key, '{"what":"Runder Tisch","who":"Amt","due":"2026-03-01"}');
    expect(loadStored(storage, key, PROPOSAL_DRAFT)).toEqual({ what: 'Runder Tisch', who: 'Amt', due: '2026-03-01' });
    expect(loadStored(storedAs(key, '{"what":"x","who":"y"}'), key, PROPOSAL_DRAFT)).toEqual({ what: '', who: '', due: '' });
    saveStored(storage, key, PROPOSAL_DRAFT, { what: 'a', who: '', due: '' });
    expect(storage.getItem(key)).toBe('{"what":"a","who":"","due":""}');
  });

  it('reads returned cards and proposals under their old keys, leaving out entries that do not fit', () => {
    const cards = returnedCardsKey('b0ard1d');
    expect(cards).toBe('kartenwand.returned.b0ard1d');
    const storedCards = '[{"id":"c1","kind":"need","text":"Kita"},{"id":"c2","kind":"bogus","text":"x"},7]';
    expect(loadStored(storedAs(cards, storedCards), cards, RETURNED_CARDS)).toEqual([{ id: 'c1', kind: 'need', text: 'Kita' }]);
    expect(loadStored(storedAs(cards, '{"id":"c1"}'), cards, RETURNED_CARDS)).toEqual([]);

    const proposals = returnedProposalsKey('b0ard1d');
    expect(proposals).toBe('kartenwand.returnedProposals.b0ard1d');
    const storedProposals = '[{"id":"a1","what":"Treffen","who":"","due":null},{"id":"a2","what":"x","who":"y","due":3}]';
    expect(loadStored(storedAs(proposals, storedProposals), proposals, RETURNED_PROPOSALS)).toEqual([
      { id: 'a1', what: 'Treffen', who: '', due: null },
    ]);
    const storage = new MemoryStorage();
    saveStored(storage, proposals, RETURNED_PROPOSALS, [{ id: 'a1', what: 'Treffen', who: '', due: '2026-03-01' }]);
    expect(storage.getItem(proposals)).toBe('[{"id":"a1","what":"Treffen","who":"","due":"2026-03-01"}]');
  });
});
