/**
 * Firefox and Safari start reading a blob URL only after `click()` has
 * returned; revoking it at once can cancel the download. FileSaver.js waits
 * 40 s for the same reason.
 */
const REVOKE_AFTER_MS = 40_000;

/** Hands a fetched file to the browser's downloads: an object URL on a short-lived `<a download>`. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}
