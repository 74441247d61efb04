import { render } from 'preact';
import { useState } from 'preact/hooks';
import { LIMITS } from '../../board/schema';
import { t, useLocale, locale } from '../../i18n';
import { Api, ApiError } from '../../sync/api';
import { apiFailureText } from '../../ui/errors';
import { Credentials, browserStorage } from '../../sync/credentials';
import { TopBar } from '../../ui/components';
import { NewEvent } from '../event/CreateEvent';
import { NewSeries } from '../series/NewSeries';
import { SeriesApi } from '../../sync/series-api';

function today(): string {
  const now = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function CreateConference({ api, credentials }: { api: Api; credentials: Credentials }) {
  useLocale();
  const [title, setTitle] = useState('');
  const [district, setDistrict] = useState('');
  const [date, setDate] = useState(today());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const setup = { title: title.trim(), district: district.trim(), ...(date ? { date } : {}), locale: locale.get() };
      const created = await api.createBoard(setup);
      credentials.saveModeratorLinks(created);
      credentials.saveSetup(created.board, setup);
      credentials.saveToken(created.board, 'moderator', created.moderator_token);
      credentials.saveToken(created.board, 'viewer', created.viewer_token);
      location.assign(created.moderator_url);
    } catch (failure) {
      setBusy(false);
      if (failure instanceof ApiError && failure.offline) setError(t('start.offline'));
      else setError(t('start.error', { reason: apiFailureText(failure) }));
    }
  };

  return (
    <form class="panel form" onSubmit={(e) => void submit(e)} aria-describedby="start-intro">
      <h1>{t('start.title')}</h1>
      <p id="start-intro">{t('start.intro')}</p>
      <label for="start-title">{t('start.conferenceTitle')}</label>
      <input
        id="start-title"
        required
        maxLength={LIMITS.title}
        value={title}
        placeholder={t('start.conferenceTitlePlaceholder')}
        onInput={(e) => setTitle(e.currentTarget.value)}
      />
      <label for="start-district">{t('start.district')}</label>
      <input
        id="start-district"
        required
        maxLength={LIMITS.district}
        value={district}
        onInput={(e) => setDistrict(e.currentTarget.value)}
      />
      <label for="start-date">{t('start.date')}</label>
      <input id="start-date" type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t('start.creating') : t('start.create')}
      </button>
    </form>
  );
}

/** Entering a code by hand (also reached at /join without a code). */
export function JoinByCode() {
  useLocale();
  const [code, setCode] = useState('');
  return (
    <form
      class="panel form"
      onSubmit={(e) => {
        e.preventDefault();
        const clean = code.trim().toUpperCase().replace(/[^A-Z0-9_-]/g, '');
        if (clean) location.assign(`/join/${encodeURIComponent(clean)}`);
      }}
    >
      <h2>{t('start.join')}</h2>
      <label for="join-code">{t('start.joinCode')}</label>
      <input
        id="join-code"
        required
        autocapitalize="characters"
        autocomplete="off"
        spellcheck={false}
        enterkeyhint="go"
        value={code}
        onInput={(e) => setCode(e.currentTarget.value)}
      />
      <button type="submit">{t('start.joinButton')}</button>
    </form>
  );
}

function StartPage() {
  useLocale();
  const api = new Api();
  const credentials = new Credentials(browserStorage());
  return (
    <>
      <TopBar title="" />
      <main id="main" class="start">
        <CreateConference api={api} credentials={credentials} />
        <NewEvent api={api} credentials={credentials} />
        <JoinByCode />
        <NewSeries api={new SeriesApi()} credentials={credentials} />
        <p class="muted">
          <a href="/organiser">{t('start.organiserLink')}</a>
        </p>
      </main>
    </>
  );
}

export function mount(root: HTMLElement): void {
  render(<StartPage />, root);
}
