/** The board document: schema, typed mutations, read-side selectors, undo. */
export * from './schema';
export { Board } from './board';
export * from './mutations';
export * from './selectors';
export * from './agenda';
export * from './cases';
export * from './agreements';
export * from './handout';
export { createUndoManager } from './undo';
export { newId } from './ids';
export { planGroups, groupCount } from './groups';
export * from './returned';
