/**
 * Registers the service worker (src/sw/service-worker.ts, served as
 * `/sw.js`) that keeps the app shell on the device for offline reloads.
 * Not in the dev server (it has no `/sw.js`). A failed registration only
 * means no offline reload; the app itself works as before.
 */
export function registerServiceWorker(): void {
  if (import.meta.env.DEV || !('serviceWorker' in navigator)) return;
  const register = (): void => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  };
  // After the page's own loading, so installing (precaching) never competes
  // with the first render on a slow phone.
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
