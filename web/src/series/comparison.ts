/**
 * Changes to a series' comparison (docs/protocol.md, "Series"), pure: each
 * returns a new comparison and leaves the one it got alone, so the page's
 * undo keeps every earlier value and writes it back whole. A cluster is in
 * one topic at most.
 */
import type { AgreementRef, ClusterRef, Comparison, SeriesSuggestion, SeriesTopic, TopicScope } from '../sync/series-api';

export const sameCluster = (a: ClusterRef, b: ClusterRef): boolean => a.board === b.board && a.cluster === b.cluster;

const sameAgreement = (a: AgreementRef, b: AgreementRef): boolean => a.board === b.board && a.agreement === b.agreement;

function withoutCluster(topics: SeriesTopic[], ref: ClusterRef): SeriesTopic[] {
  return topics.map((topic) => ({ ...topic, clusters: topic.clusters.filter((c) => !sameCluster(c, ref)) }));
}

function update(comparison: Comparison, id: string, change: (topic: SeriesTopic) => SeriesTopic): Comparison {
  return { ...comparison, topics: comparison.topics.map((topic) => (topic.id === id ? change(topic) : topic)) };
}

/** The topic a cluster is in, if any. */
export function topicOf(comparison: Comparison, ref: ClusterRef): SeriesTopic | null {
  return comparison.topics.find((topic) => topic.clusters.some((c) => sameCluster(c, ref))) ?? null;
}

/** A new topic of these clusters (taken out of any other topic). */
export function addTopic(comparison: Comparison, id: string, title: string, clusters: ClusterRef[]): Comparison {
  let topics = comparison.topics;
  for (const ref of clusters) topics = withoutCluster(topics, ref);
  return { ...comparison, topics: [...topics, { id, title, scope: 'open', clusters: [...clusters], agreements: [] }] };
}

/** Moves a cluster into a topic (out of the one it was in). */
export function linkCluster(comparison: Comparison, topic: string, ref: ClusterRef): Comparison {
  const moved = { ...comparison, topics: withoutCluster(comparison.topics, ref) };
  return update(moved, topic, (t) => ({ ...t, clusters: [...t.clusters, ref] }));
}

export function unlinkCluster(comparison: Comparison, ref: ClusterRef): Comparison {
  return { ...comparison, topics: withoutCluster(comparison.topics, ref) };
}

export function renameTopic(comparison: Comparison, topic: string, title: string): Comparison {
  return update(comparison, topic, (t) => ({ ...t, title }));
}

export function setScope(comparison: Comparison, topic: string, scope: TopicScope): Comparison {
  return update(comparison, topic, (t) => ({ ...t, scope }));
}

export function removeTopic(comparison: Comparison, topic: string): Comparison {
  return { ...comparison, topics: comparison.topics.filter((t) => t.id !== topic) };
}

export function linkAgreement(comparison: Comparison, topic: string, ref: AgreementRef): Comparison {
  return update(comparison, topic, (t) => (t.agreements.some((a) => sameAgreement(a, ref)) ? t : { ...t, agreements: [...t.agreements, ref] }));
}

export function unlinkAgreement(comparison: Comparison, topic: string, ref: AgreementRef): Comparison {
  return update(comparison, topic, (t) => ({ ...t, agreements: t.agreements.filter((a) => !sameAgreement(a, ref)) }));
}

/** Accepting a suggestion: a topic of its clusters, named by its label. */
export function acceptSuggestion(comparison: Comparison, suggestion: SeriesSuggestion, id: string): Comparison {
  return addTopic(comparison, id, suggestion.label, suggestion.clusters);
}

/** Dismissing a suggestion: each pair of its clusters is not suggested again. */
export function dismissSuggestion(comparison: Comparison, suggestion: SeriesSuggestion): Comparison {
  const pairs: [ClusterRef, ClusterRef][] = [];
  suggestion.clusters.forEach((a, index) => {
    for (const b of suggestion.clusters.slice(index + 1)) pairs.push([a, b]);
  });
  return { ...comparison, dismissed: [...comparison.dismissed, ...pairs] };
}

/**
 * Undo and redo of whole comparisons: what was there before each change.
 * The page writes the target first and moves it over only once the write
 * was taken (a refused write leaves both stacks as they were).
 */
export class History {
  private readonly undos: Comparison[] = [];
  private readonly redos: Comparison[] = [];

  /** A change from `before` was written. */
  record(before: Comparison): void {
    this.undos.push(before);
    this.redos.length = 0;
  }

  /** What undo would write back. */
  get undoTarget(): Comparison | null {
    return this.undos.at(-1) ?? null;
  }

  get redoTarget(): Comparison | null {
    return this.redos.at(-1) ?? null;
  }

  /** The undo target was written over `current`. */
  undone(current: Comparison): void {
    if (this.undos.pop() !== undefined) this.redos.push(current);
  }

  redone(current: Comparison): void {
    if (this.redos.pop() !== undefined) this.undos.push(current);
  }
}

/** A new id for a topic: random, URL-safe. */
export function newTopicId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `topic${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
