/**
 * What the views' DOM tests share: a session that never connects (the
 * views must work offline) and typing into fields as a person would.
 */
import { render } from 'preact';
import { afterEach, beforeEach } from 'vitest';
import * as Y from 'yjs';
import { Board } from '../board';
import { setLocale } from '../i18n';
import { connect } from '../sync/connection';
import type { Session } from '../sync/session';

/** A WebSocket that never connects: the views must work offline. */
export class NeverSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readyState = 0;
  binaryType = 'blob';
  onopen = null;
  onclose = null;
  onerror = null;
  onmessage = null;
  send(): void {}
  close(): void {}
}

export function session(origin: object | null = null): Session {
  const doc = new Y.Doc();
  const connection = connect({
    board: 'testboard',
    token: 't',
    doc,
    serverUrl: 'ws://localhost/ws',
    persist: false,
    crossTab: false,
    events: null,
    WebSocketPolyfill: NeverSocket as unknown as typeof WebSocket,
  });
  return { board: new Board(doc, origin), connection };
}

export function typeInto(element: HTMLTextAreaElement | HTMLInputElement, text: string): void {
  element.value = text;
  element.dispatchEvent(new Event('input', { bubbles: true }));
}

export function key(element: Element, name: string): void {
  element.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, cancelable: true }));
}

/**
 * A fresh element for each test of the file to render into, with the
 * German interface; emptied and removed after the test. Call at the top
 * level of a test file; the function returns the current element.
 */
export function testRoot(): () => HTMLElement {
  let root: HTMLElement | null = null;
  beforeEach(() => {
    setLocale('de');
    root = document.createElement('div');
    document.body.append(root);
  });
  afterEach(() => {
    if (root) {
      render(null, root);
      root.remove();
    }
    root = null;
  });
  return () => {
    if (!root) throw new Error('testRoot(): no test is running');
    return root;
  };
}
