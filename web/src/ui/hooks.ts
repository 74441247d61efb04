import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useReducer, useState } from 'preact/hooks';
import type { Board } from '../board';
import type { Readable } from '../sync/observable';

/**
 * Re-renders the calling component after every change of the board document
 * (local or remote). Components then read through the selectors: the doc is
 * the only state.
 */
export function useBoard(board: Board): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const onUpdate = (): void => bump(undefined);
    board.doc.on('update', onUpdate);
    return () => board.doc.off('update', onUpdate);
  }, [board]);
}

export function useReadable<T>(readable: Readable<T>): T {
  const [value, setValue] = useState(readable.get());
  useEffect(() => {
    setValue(readable.get());
    return readable.subscribe(setValue);
  }, [readable]);
  return value;
}

/** The smallest type the projector shrinks to (a share of its normal size). */
export const FIT_MIN = 0.4;

/**
 * Shrinks the type of `ref`'s element (the CSS variable `--fit`, a factor
 * on its font size) until it fits the window's height, and every element
 * inside marked `data-fit-box` (the wall's flowing columns) holds its
 * content without overflowing sideways: nobody scrolls a projector, so
 * fifty phones' cards must all be on screen. Measured before the browser
 * paints, after every render and on resize.
 */
export function useFitToScreen(ref: RefObject<HTMLElement>): void {
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const fits = (scale: number): boolean => {
      element.style.setProperty('--fit', String(scale));
      if (element.scrollHeight > window.innerHeight) return false;
      for (const box of element.querySelectorAll<HTMLElement>('[data-fit-box]')) {
        if (box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1) return false;
      }
      return true;
    };
    const fit = (): void => {
      if (fits(1)) return;
      let low = FIT_MIN;
      let high = 1;
      // Seven halvings: within 0.5 % of the largest size that fits.
      for (let step = 0; step < 7; step++) {
        const middle = (low + high) / 2;
        if (fits(middle)) low = middle;
        else high = middle;
      }
      fits(low);
    };
    fit();
    window.addEventListener('resize', fit);
    return () => window.removeEventListener('resize', fit);
  });
}
