import * as Y from 'yjs';
import { TOP_LEVEL } from './schema';

/** One entry of a keyed top-level map: a nested Y.Map of primitive fields. */
export type Entry = Y.Map<unknown>;

/**
 * A board document plus the transaction origin this client writes with.
 *
 * The origin is what Y.UndoManager tracks: the moderator view creates its
 * Board with its own origin object, so undo only ever reverts the moderator's
 * own changes, never a participant's card that arrived meanwhile.
 */
export class Board {
  constructor(
    readonly doc: Y.Doc,
    readonly origin: object | null = null,
  ) {}

  get meta(): Y.Map<unknown> {
    return this.doc.getMap(TOP_LEVEL.meta);
  }
  get participants(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.participants);
  }
  get groups(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.groups);
  }
  get cards(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.cards);
  }
  get clusters(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.clusters);
  }
  get votes(): Y.Map<number> {
    return this.doc.getMap(TOP_LEVEL.votes);
  }
  get offerLinks(): Y.Map<boolean> {
    return this.doc.getMap(TOP_LEVEL.offerLinks);
  }
  get placements(): Y.Map<boolean> {
    return this.doc.getMap(TOP_LEVEL.placements);
  }
  get agenda(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.agenda);
  }
  get cases(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.cases);
  }
  get focalPoints(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.focalPoints);
  }
  get notes(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.notes);
  }
  get agreements(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.agreements);
  }
  get networks(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.networks);
  }
  get memberships(): Y.Map<boolean> {
    return this.doc.getMap(TOP_LEVEL.memberships);
  }
  get handout(): Y.Map<unknown> {
    return this.doc.getMap(TOP_LEVEL.handout);
  }
  get dismissals(): Y.Map<Entry> {
    return this.doc.getMap(TOP_LEVEL.dismissals);
  }

  /** Every shared type this schema version uses (the undo scope). */
  sharedTypes(): Y.AbstractType<unknown>[] {
    return [
      this.meta,
      this.participants,
      this.groups,
      this.cards,
      this.clusters,
      this.votes,
      this.offerLinks,
      this.placements,
      this.agenda,
      this.cases,
      this.focalPoints,
      this.notes,
      this.agreements,
      this.networks,
      this.memberships,
      this.handout,
      this.dismissals,
    ] as Y.AbstractType<unknown>[];
  }

  transact(change: () => void): void {
    this.doc.transact(change, this.origin);
  }

  /**
   * A change undo must never revert (the join code the server issued, the
   * set-up from the start page): written with no origin, which the
   * moderator's undo manager does not track.
   */
  transactOutsideUndo(change: () => void): void {
    this.doc.transact(change, null);
  }
}
