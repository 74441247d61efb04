import type { Board } from '../../board';

/**
 * What every phone screen a person writes on gets: the board, who they
 * are, when the device has stored a change, and their own entries the
 * server gave back (`T`: a card or a proposal) with a way to let one go.
 */
export interface WritingScreenProps<T> {
  board: Board;
  boardId: string;
  participantId: string;
  whenStored: () => Promise<boolean>;
  returned: T[];
  onReturnedDone: (entry: T) => void;
}
