import { describe, expect, it } from 'vitest';
import { createCluster } from './clusters';
import { makeBoard } from './test-helpers';
import { castVote, retractVote, selectOwnVotes, selectVoteRanking, selectVoteTotals, startVoting, stopVoting } from './votes';
import { BoardError } from './write';

describe('dot voting', () => {
  it('casts and retracts within the budget, only while open', () => {
    const board = makeBoard();
    const a = createCluster(board, 'Wohnen');
    const b = createCluster(board, 'Sprache');
    expect(castVote(board, 'pa00000001', a)).toBe(false); // not started
    startVoting(board, 2);
    expect(castVote(board, 'pa00000001', a)).toBe(true);
    expect(castVote(board, 'pa00000001', a)).toBe(true);
    expect(castVote(board, 'pa00000001', b)).toBe(false); // budget spent
    expect(board.votes.toJSON()).toEqual({ [`pa00000001:${a}`]: 2 });
    expect(retractVote(board, 'pa00000001', a)).toBe(true);
    expect(castVote(board, 'pa00000001', b)).toBe(true);
    expect(selectOwnVotes(board, 'pa00000001')).toMatchObject({ used: 2, remaining: 0 });
    expect(retractVote(board, 'pa00000001', 'nothing-here')).toBe(false);
    stopVoting(board);
    expect(castVote(board, 'pa00000002', a)).toBe(false);
    expect(retractVote(board, 'pa00000001', a)).toBe(false);
    expect(selectVoteTotals(board)).toEqual(new Map([[a, 1], [b, 1]]));
    // A new round starts from zero.
    startVoting(board, 3);
    expect(board.votes.size).toBe(0);
    expect(() => startVoting(board, 0)).toThrow(BoardError);
  });

  it('removes the key when the last dot is retracted', () => {
    const board = makeBoard();
    const a = createCluster(board, 'Wohnen');
    startVoting(board, 1);
    castVote(board, 'pa00000001', a);
    retractVote(board, 'pa00000001', a);
    expect(board.votes.size).toBe(0);
  });
});

describe('vote results', () => {
  it('ranks clusters by votes', () => {
    const board = makeBoard();
    const a = createCluster(board, 'A-Cluster');
    const b = createCluster(board, 'B-Cluster');
    board.votes.set(`pa00000001:${b}`, 2);
    board.votes.set(`pa00000002:${a}`, 1);
    board.votes.set('pa00000002:deletedcluster', 5);
    expect(selectVoteRanking(board).map((r) => [r.cluster.id, r.votes])).toEqual([
      [b, 2],
      [a, 1],
    ]);
  });
});
