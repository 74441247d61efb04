import { describe, expect, it } from 'vitest';
import type { Comparison } from '../sync/series-api';
import {
  History,
  acceptSuggestion,
  addTopic,
  dismissSuggestion,
  linkAgreement,
  linkCluster,
  newTopicId,
  removeTopic,
  renameTopic,
  setScope,
  topicOf,
  unlinkAgreement,
  unlinkCluster,
} from './comparison';

const empty: Comparison = { topics: [], dismissed: [] };
const sprache = { board: 'b1', cluster: 'k1' };
const kita = { board: 'b2', cluster: 'm1' };
const wohnen = { board: 'b1', cluster: 'k2' };

describe('the comparison', () => {
  it('keeps a cluster in one topic at most', () => {
    const one = addTopic(empty, 't1', 'Sprachkurse', [sprache, kita]);
    const two = addTopic(one, 't2', 'Kinderbetreuung', [kita]);
    expect(topicOf(two, kita)?.id).toBe('t2');
    expect(two.topics[0]?.clusters).toEqual([sprache]);
    const moved = linkCluster(two, 't1', kita);
    expect(moved.topics.map((t) => t.clusters.length)).toEqual([2, 0]);
    expect(topicOf(unlinkCluster(moved, kita), kita)).toBeNull();
    expect(one.topics).toHaveLength(1);
  });

  it('renames, scopes, links agreements once and removes topics', () => {
    let c = addTopic(empty, 't1', 'Sprache', [sprache]);
    c = setScope(renameTopic(c, 't1', 'Sprachkurse mit Kinderbetreuung'), 't1', 'city');
    const agreement = { board: 'b1', agreement: 'a1' };
    c = linkAgreement(linkAgreement(c, 't1', agreement), 't1', agreement);
    expect(c.topics[0]).toMatchObject({ title: 'Sprachkurse mit Kinderbetreuung', scope: 'city', agreements: [agreement] });
    expect(unlinkAgreement(c, 't1', agreement).topics[0]?.agreements).toEqual([]);
    expect(removeTopic(c, 't1').topics).toEqual([]);
  });

  it('accepts a suggestion as a topic and dismisses one as all its pairs', () => {
    const suggestion = { label: 'Sprachkurse', clusters: [sprache, kita, wohnen] };
    const accepted = acceptSuggestion(empty, suggestion, 't9');
    expect(accepted.topics[0]).toMatchObject({ id: 't9', title: 'Sprachkurse', scope: 'open', clusters: [sprache, kita, wohnen] });
    expect(dismissSuggestion(empty, suggestion).dismissed).toEqual([
      [sprache, kita],
      [sprache, wohnen],
      [kita, wohnen],
    ]);
  });

  it('undoes and redoes whole comparisons', () => {
    const history = new History();
    const first = addTopic(empty, 't1', 'A', [sprache]);
    history.record(empty);
    const second = renameTopic(first, 't1', 'B');
    history.record(first);
    expect(history.undoTarget).toBe(first);
    history.undone(second);
    expect(history.undoTarget).toBe(empty);
    expect(history.redoTarget).toBe(second);
    history.redone(first);
    expect(history.redoTarget).toBeNull();
    history.record(second);
    expect(history.redoTarget).toBeNull();
  });

  it('makes topic ids the server takes', () => {
    const id = newTopicId();
    expect(id).toMatch(/^topic[0-9a-f]{24}$/);
    expect(newTopicId()).not.toBe(id);
  });
});
