/**
 * A join code as people read it aloud and type it: in groups of four
 * ("K7P2 QXMA R4TN"). The server ignores spaces and dashes in a typed
 * code, so the groups may be typed or left out.
 */
export function formatJoinCode(code: string): string {
  return code.match(/.{1,4}/g)?.join(' ') ?? code;
}
