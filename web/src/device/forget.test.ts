import { describe, expect, it } from 'vitest';
import { Credentials, MemoryStorage } from '../sync/credentials';
import { cardDraftKey, cardEditKey, proposalDraftKey } from './drafts';
import { forgetBoard } from './forget';
import { memoryPhotoStore } from './photo-queue';

describe('forgetting a board after an erasure', () => {
  it('drops the credentials, drafts, card edits and queued photos of the person on that board only', async () => {
    const storage = new MemoryStorage();
    const credentials = new Credentials(storage);
    credentials.saveParticipant('b1', { participantId: 'pa01', token: 'kwp_pa01_x' });
    credentials.saveParticipant('b2', { participantId: 'pa01', token: 'kwp_pa01_y' });
    for (const key of [cardDraftKey('b1'), proposalDraftKey('b1'), cardEditKey('card1'), cardDraftKey('b2')]) storage.setItem(key, 'Kanarienvogel');
    const photos = memoryPhotoStore();
    const photo = (id: string, board: string, participant: string) => ({ id, board, participant, createdAt: 1, type: 'image/jpeg', bytes: new ArrayBuffer(1), refused: null });
    await photos.put(photo('ph1', 'b1', 'pa01'));
    await photos.put(photo('ph2', 'b1', 'pa02'));
    await photos.put(photo('ph3', 'b2', 'pa01'));

    await forgetBoard({ board: 'b1', participantId: 'pa01', ownCards: ['card1'] }, { credentials, storage, photos: Promise.resolve(photos) });

    expect(credentials.participant('b1')).toBeNull();
    expect(credentials.participant('b2')).not.toBeNull();
    for (const key of [cardDraftKey('b1'), proposalDraftKey('b1'), cardEditKey('card1')]) expect(storage.getItem(key)).toBeNull();
    expect(storage.getItem(cardDraftKey('b2'))).toBe('Kanarienvogel');
    expect((await photos.list('b1', 'pa01')).map((p) => p.id)).toEqual([]);
    expect((await photos.list('b1', 'pa02')).map((p) => p.id)).toEqual(['ph2']);
    expect((await photos.list('b2', 'pa01')).map((p) => p.id)).toEqual(['ph3']);
  });
});
