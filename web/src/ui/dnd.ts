/**
 * Drag and drop of cards onto drop zones, by mouse, touch and keyboard.
 *
 * Why not a library: the wall is re-rendered from the Yjs doc whenever
 * anything changes (a participant's card can arrive mid-drag), so the drag
 * must not depend on the dragged DOM node surviving. This controller keeps
 * only ids (card id, zone id) and finds elements by data attributes:
 *
 *   data-card-id="..."       on the card (pointer drag starts here)
 *   data-drag-handle="..."   on the card's handle button (keyboard, touch)
 *   data-drop="..."          on each drop zone; data-drop-label names it
 *
 * Mouse: press anywhere on a card and move. Touch: press the handle (it has
 * `touch-action: none`; the rest of the card scrolls the page as usual).
 * Held near the top or bottom edge of the card's scroll area (the nearest
 * `data-autoscroll` element), the area scrolls by itself, faster the closer
 * to the edge: every cluster is in reach without a wheel.
 * Keyboard: focus the handle, Space/Enter picks the card up, arrow keys
 * choose the zone, Space/Enter drops, Escape cancels; every step is
 * announced through a live region. The active zone gets `data-drop-active`,
 * which the stylesheet makes unmistakable (a drop target must be obvious).
 */

export interface DragAndDropOptions {
  /** The element that contains cards and zones. */
  root: () => HTMLElement | null;
  onDrop: (cardId: string, zone: string) => void;
  announce: (kind: 'picked' | 'over' | 'dropped' | 'cancelled', zoneLabel: string) => void;
}

const THRESHOLD = 6;
/** How close to a scroll area's edge (px) a held card makes it scroll, and the fastest it scrolls (px per frame). */
const EDGE = 64;
const MAX_SCROLL_STEP = 20;
const INTERACTIVE = 'button, select, input, textarea, a, label, [contenteditable="true"]';

interface PointerDrag {
  cardId: string;
  pointerId: number;
  startX: number;
  startY: number;
  source: HTMLElement;
  ghost: HTMLElement | null;
  offsetX: number;
  offsetY: number;
  zone: HTMLElement | null;
  /** The scroll area that scrolls while the card is held at its edge. */
  scroller: HTMLElement | null;
  /** Where the pointer is now (for the zone under it after a scroll). */
  x: number;
  y: number;
  /** The running animation frame of the edge scrolling. */
  frame: number | null;
}

interface KeyboardDrag {
  cardId: string;
  zones: string[];
  index: number;
}

export class CardDragAndDrop {
  private pointer: PointerDrag | null = null;
  private keyboard: KeyboardDrag | null = null;

  constructor(private readonly options: DragAndDropOptions) {}

  get active(): boolean {
    return this.pointer?.ghost != null || this.keyboard !== null;
  }

  // ------------------------------------------------------------ pointer

  readonly pointerDown = (event: PointerEvent): void => {
    if (event.button !== 0 || this.pointer || this.keyboard) return;
    const source = event.currentTarget as HTMLElement | null;
    const target = event.target as HTMLElement | null;
    const cardId = source?.dataset.cardId;
    if (!source || !target || !cardId) return;
    const onHandle = target.closest('[data-drag-handle]') !== null;
    if (!onHandle && target.closest(INTERACTIVE)) return;
    if (event.pointerType !== 'mouse' && !onHandle) return;
    const rect = source.getBoundingClientRect();
    this.pointer = {
      cardId,
      pointerId: event.pointerId,
      startX: event.clientX,
      startY: event.clientY,
      source,
      ghost: null,
      offsetX: event.clientX - rect.left,
      offsetY: event.clientY - rect.top,
      zone: null,
      scroller: source.closest<HTMLElement>('[data-autoscroll]'),
      x: event.clientX,
      y: event.clientY,
      frame: null,
    };
    window.addEventListener('pointermove', this.pointerMove);
    window.addEventListener('pointerup', this.pointerUp);
    window.addEventListener('pointercancel', this.pointerCancel);
    window.addEventListener('keydown', this.pointerKey, true);
  };

  private readonly pointerMove = (event: PointerEvent): void => {
    const drag = this.pointer;
    if (drag?.pointerId !== event.pointerId) return;
    if (!drag.ghost) {
      if (Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY) < THRESHOLD) return;
      drag.ghost = this.makeGhost(drag.source);
      drag.source.setAttribute('data-dragging', '');
      document.body.classList.add('is-dragging');
    }
    event.preventDefault();
    drag.ghost.style.transform = `translate(${event.clientX - drag.offsetX}px, ${event.clientY - drag.offsetY}px)`;
    drag.x = event.clientX;
    drag.y = event.clientY;
    this.updateZone(drag);
    if (drag.frame === null && edgeStep(drag) !== 0) drag.frame = requestAnimationFrame(this.edgeScroll);
  };

  private updateZone(drag: PointerDrag): void {
    const zone = zoneAt(drag.x, drag.y);
    if (zone !== drag.zone) {
      drag.zone?.removeAttribute('data-drop-active');
      zone?.setAttribute('data-drop-active', '');
      drag.zone = zone;
    }
  }

  /** One frame of scrolling while the card is held at the edge; ends when it leaves the edge or the drag ends. */
  private readonly edgeScroll = (): void => {
    const drag = this.pointer;
    if (!drag) return;
    const step = edgeStep(drag);
    if (step === 0 || !drag.scroller) {
      drag.frame = null;
      return;
    }
    drag.scroller.scrollTop += step;
    this.updateZone(drag);
    drag.frame = requestAnimationFrame(this.edgeScroll);
  };

  private readonly pointerUp = (event: PointerEvent): void => {
    const drag = this.pointer;
    if (drag?.pointerId !== event.pointerId) return;
    const zone = drag.ghost ? zoneAt(event.clientX, event.clientY) : null;
    this.endPointer();
    const zoneId = zone?.dataset.drop;
    if (zone && zoneId) {
      this.options.announce('dropped', zone.dataset.dropLabel ?? zoneId);
      this.options.onDrop(drag.cardId, zoneId);
    }
  };

  private readonly pointerCancel = (): void => {
    if (this.pointer?.ghost) this.options.announce('cancelled', '');
    this.endPointer();
  };

  private readonly pointerKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.pointer) {
      event.preventDefault();
      event.stopPropagation();
      this.pointerCancel();
    }
  };

  private makeGhost(source: HTMLElement): HTMLElement {
    const ghost = source.cloneNode(true) as HTMLElement;
    const rect = source.getBoundingClientRect();
    ghost.classList.add('drag-ghost');
    ghost.removeAttribute('data-card-id');
    ghost.setAttribute('aria-hidden', 'true');
    ghost.style.width = `${rect.width}px`;
    for (const element of ghost.querySelectorAll('[id], [data-drag-handle]')) {
      element.removeAttribute('id');
      element.removeAttribute('data-drag-handle');
    }
    document.body.append(ghost);
    return ghost;
  }

  private endPointer(): void {
    const drag = this.pointer;
    this.pointer = null;
    window.removeEventListener('pointermove', this.pointerMove);
    window.removeEventListener('pointerup', this.pointerUp);
    window.removeEventListener('pointercancel', this.pointerCancel);
    window.removeEventListener('keydown', this.pointerKey, true);
    if (!drag) return;
    if (drag.frame !== null) cancelAnimationFrame(drag.frame);
    drag.ghost?.remove();
    drag.zone?.removeAttribute('data-drop-active');
    drag.source.removeAttribute('data-dragging');
    document.body.classList.remove('is-dragging');
  }

  // ------------------------------------------------------------ keyboard

  /** Put on the handle button: `onKeyDown={dnd.handleKey}`. */
  readonly handleKey = (event: KeyboardEvent): void => {
    const handle = event.currentTarget as HTMLElement | null;
    const cardId = handle?.dataset.dragHandle;
    if (!cardId) return;
    const pick = event.key === ' ' || event.key === 'Enter';
    if (!this.keyboard) {
      if (!pick) return;
      event.preventDefault();
      const zones = this.zoneIds();
      if (zones.length === 0) return;
      const current = handle.closest<HTMLElement>('[data-drop]')?.dataset.drop;
      const index = Math.max(0, current ? zones.indexOf(current) : 0);
      this.keyboard = { cardId, zones, index };
      handle.closest('[data-card-id]')?.setAttribute('data-dragging', '');
      this.highlight('picked');
      return;
    }
    const drag = this.keyboard;
    if (drag.cardId !== cardId) return;
    switch (event.key) {
      case 'ArrowRight':
      case 'ArrowDown':
        drag.index = (drag.index + 1) % drag.zones.length;
        this.highlight('over');
        break;
      case 'ArrowLeft':
      case 'ArrowUp':
        drag.index = (drag.index - 1 + drag.zones.length) % drag.zones.length;
        this.highlight('over');
        break;
      case ' ':
      case 'Enter': {
        const zone = drag.zones[drag.index];
        const label = this.zoneLabel(zone);
        this.endKeyboard();
        if (zone) {
          this.options.announce('dropped', label);
          this.options.onDrop(cardId, zone);
          this.refocus(cardId);
        }
        break;
      }
      case 'Escape':
      case 'Tab':
        this.endKeyboard();
        this.options.announce('cancelled', '');
        if (event.key === 'Tab') return; // let focus move on
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  /** Put on the handle button: `onBlur={dnd.handleBlur}`. */
  readonly handleBlur = (): void => {
    if (!this.keyboard) return;
    this.endKeyboard();
    this.options.announce('cancelled', '');
  };

  private zoneIds(): string[] {
    const root = this.options.root();
    if (!root) return [];
    return [...root.querySelectorAll<HTMLElement>('[data-drop]')]
      .map((el) => el.dataset.drop)
      .filter((id): id is string => id !== undefined);
  }

  private zoneElement(zone: string | undefined): HTMLElement | null {
    if (zone === undefined) return null;
    return this.options.root()?.querySelector<HTMLElement>(`[data-drop="${CSS.escape(zone)}"]`) ?? null;
  }

  private zoneLabel(zone: string | undefined): string {
    return this.zoneElement(zone)?.dataset.dropLabel ?? zone ?? '';
  }

  private highlight(kind: 'picked' | 'over'): void {
    const drag = this.keyboard;
    if (!drag) return;
    clearActive(this.options.root());
    const zone = drag.zones[drag.index];
    const element = this.zoneElement(zone);
    element?.setAttribute('data-drop-active', '');
    element?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    this.options.announce(kind, this.zoneLabel(zone));
  }

  private endKeyboard(): void {
    const drag = this.keyboard;
    this.keyboard = null;
    const root = this.options.root();
    clearActive(root);
    if (drag) root?.querySelector(`[data-card-id="${CSS.escape(drag.cardId)}"]`)?.removeAttribute('data-dragging');
  }

  /** The card moved to another zone and was re-rendered: give focus back to its handle. */
  private refocus(cardId: string): void {
    requestAnimationFrame(() => {
      this.options.root()?.querySelector<HTMLElement>(`[data-drag-handle="${CSS.escape(cardId)}"]`)?.focus();
    });
  }

  destroy(): void {
    this.endPointer();
    this.endKeyboard();
  }
}

/**
 * How far the held card's scroll area scrolls this frame: negative near its
 * top edge, positive near its bottom, 0 elsewhere or when it cannot scroll
 * further that way.
 */
function edgeStep(drag: PointerDrag): number {
  const area = drag.scroller;
  if (!drag.ghost || !area) return 0;
  const box = area.getBoundingClientRect();
  if (drag.x < box.left || drag.x > box.right) return 0;
  const speed = (distance: number): number => Math.ceil(MAX_SCROLL_STEP * Math.min(1, Math.max(0, 1 - distance / EDGE)));
  if (drag.y < box.top + EDGE && area.scrollTop > 0) return -speed(drag.y - box.top);
  if (drag.y > box.bottom - EDGE && area.scrollTop + area.clientHeight < area.scrollHeight) return speed(box.bottom - drag.y);
  return 0;
}

function zoneAt(x: number, y: number): HTMLElement | null {
  return document.elementFromPoint(x, y)?.closest<HTMLElement>('[data-drop]') ?? null;
}

function clearActive(root: HTMLElement | null): void {
  for (const element of root?.querySelectorAll('[data-drop-active]') ?? []) element.removeAttribute('data-drop-active');
}
