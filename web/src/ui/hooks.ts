import { useEffect, useReducer, useState } from 'preact/hooks';
import type { Board } from '../board';
import type { Readable } from '../sync/store';

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
