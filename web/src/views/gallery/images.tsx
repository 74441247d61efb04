/**
 * What every gallery view shares: an image fetched with the token (a Blob
 * shown through an object URL, revoked when it leaves the screen), a list
 * polled while the view is open, and the server's refusals in words.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { ApiError } from '../../sync/api';
import { apiFailureText } from '../../ui/errors';

/** An object URL of a Blob, for as long as the component shows it. */
export function useObjectUrl(blob: Blob | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (blob === null) {
      setUrl(null);
      return;
    }
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [blob]);
  return url;
}

/**
 * An image the server gives only with a token: `load` fetches it once per
 * `id`. Until it is there a box of the photo's proportions keeps its place.
 */
export function PhotoImage({
  id,
  load,
  alt,
  class: className,
  width,
  height,
}: {
  id: string;
  load: () => Promise<Blob>;
  alt: string;
  class?: string;
  width?: number;
  height?: number;
}) {
  const [blob, setBlob] = useState<Blob | null>(null);
  const [failed, setFailed] = useState(false);
  const url = useObjectUrl(blob);
  useEffect(() => {
    let live = true;
    setFailed(false);
    load().then(
      (loaded) => live && setBlob(loaded),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [id]);
  const ratio = width && height ? `${width} / ${height}` : undefined;
  if (url === null) {
    return (
      <span class={`photo-placeholder ${className ?? ''}`} style={ratio ? { aspectRatio: ratio } : undefined} role="img" aria-label={alt}>
        {failed ? t('gallery.imageFailed') : ''}
      </span>
    );
  }
  return <img class={className} src={url} alt={alt} width={width} height={height} />;
}

/** An image from bytes on this device (a photo still in the queue). */
export function LocalImage({ bytes, type, alt, class: className }: { bytes: ArrayBuffer; type: string; alt: string; class?: string }) {
  const [blob] = useState(() => new Blob([bytes], { type }));
  const url = useObjectUrl(blob);
  return url === null ? <span class={`photo-placeholder ${className ?? ''}`} role="img" aria-label={alt} /> : <img class={className} src={url} alt={alt} />;
}

/**
 * Loads with `load` now, every `intervalMs` while the page is visible, and
 * whenever `refresh` is called (after an own action). Only the newest
 * answer counts. A failure keeps the last list and says why.
 */
export function usePolled<T>(load: () => Promise<T>, intervalMs: number, key: string): { data: T | null; error: string | null; refresh: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const request = useRef(0);
  const latest = useRef(load);
  latest.current = load;
  const refresh = (): void => {
    const mine = ++request.current;
    latest.current().then(
      (loaded) => {
        if (mine !== request.current) return;
        setData(loaded);
        setError(null);
      },
      (failure: unknown) => {
        if (mine !== request.current) return;
        setError(apiFailureText(failure));
      },
    );
  };
  useEffect(() => {
    setData(null);
    refresh();
    const timer = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') refresh();
    }, intervalMs);
    return () => {
      clearInterval(timer);
      request.current++;
    };
  }, [key, intervalMs]);
  return { data, error, refresh };
}

/** The server's messages for a refused upload (server/src/photo.rs, http/photos.rs). */
export function refusalText(status: number, message: string): string {
  if (status === 415 || message.startsWith('this is not a JPEG')) return t('gallery.refused.notImage');
  if (status === 413 || message.startsWith('the image has')) return t('gallery.refused.tooLarge');
  if (message.startsWith('the image could not be read')) return t('gallery.refused.broken');
  if (message.startsWith('this board has its')) return t('gallery.refused.boardFull');
  if (message.startsWith("the server's room for photos")) return t('gallery.refused.serverFull');
  if (status === 401 || status === 403) return t('gallery.refused.denied');
  return t('gallery.refused.other');
}

/** A refused upload said in words, with the server's own message below. */
export function Refusal({ failure }: { failure: { status: number; message: string } }) {
  return (
    <span class="photo-refusal">
      <span>{refusalText(failure.status, failure.message)}</span> <span class="small muted">{t('gallery.serverSaid', { message: failure.message })}</span>
    </span>
  );
}

/** A failed upload as the refusal it carries. */
export function refusalOf(failure: unknown): { status: number; message: string } {
  if (failure instanceof ApiError) return { status: failure.status, message: failure.message };
  return { status: 0, message: failure instanceof Error ? failure.message : String(failure) };
}
