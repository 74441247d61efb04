/**
 * The board document: one module per collection (top-level map of the
 * document), each with its reader (a stored entry to a plain object), its
 * typed mutations and its selectors.
 *
 * Every write to the document goes through a mutation here. Each runs in
 * exactly one `doc.transact` (one update on the wire, one undo step),
 * writes only the fields docs/schema.md lists, and keeps references
 * consistent (deleting a cluster also unclusters its cards, drops its offer
 * links and its votes). Mutations do not know who is calling: the views
 * only offer a participant the actions docs/schema.md allows them, and the
 * server enforces it.
 *
 * Read side: everything the views show is derived from the doc by the
 * selectors, on every render. There is no second copy of board state
 * anywhere.
 *
 *   schema.ts        names, allowed values, limits and read-side shapes
 *   board.ts         Board: the document and the origin this client writes with
 *   read.ts, write.ts  helpers the readers and the mutations share
 *   meta.ts          `meta`: title, join code, writing, reveal, focus
 *   participants.ts  `participants`: profiles, removed people
 *   groups.ts        `groups`: mixed small groups, who is in which
 *   cards.ts         `cards`: Block 1 cards
 *   clusters.ts      `clusters`: headings on the wall, merging, sectors per cluster
 *   offers.ts        `offerLinks`: offer cards linked to need clusters
 *   votes.ts         `votes`: dot voting
 *   agenda.ts        `agenda`: phases, the countdown, the per-phase locks
 *   cases.ts         `cases`, `focalPoints`, `placements`, `notes`: Block 2
 *   agreements.ts    `agreements`, `networks`, `memberships`: Block 3
 *   handout.ts       `handout`: the city's handout
 *   tree.ts          the problem–solution tree: challenges, solutions, merging
 *   suggestions.ts   the server's suggestions of alike cards: accept, dismiss
 *   returned.ts      own entries the server gave back (for writing again)
 *   undo.ts          the moderator's undo manager
 */
export * from './schema';
export { Board } from './board';
export { BoardError } from './write';
export * from './meta';
export * from './participants';
export * from './groups';
export * from './cards';
export * from './clusters';
export * from './offers';
export * from './votes';
export * from './agenda';
export * from './cases';
export * from './agreements';
export * from './handout';
export * from './tree';
export * from './suggestions';
export * from './returned';
export { createUndoManager } from './undo';
export { newId } from './ids';
