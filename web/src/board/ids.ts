/**
 * Client-chosen entry ids: 16 random bytes as base64url (22 characters), so
 * ids created concurrently on different phones never collide and are safe in
 * URLs and in the "a:b" keys of `votes`, `offerLinks` and `placements`.
 */
export function newId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
