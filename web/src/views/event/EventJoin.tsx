/**
 * Joining an event (`/join/{code}` with an event's code): the profile once
 * for the whole day, a value for each of the event's attributes, the contact
 * consent; then the event phone. The credentials and the profile are kept
 * per event on this device: the profile goes into each board's document the
 * first time the phone enters it (EventPhone.tsx).
 */
import { useEffect, useState } from 'preact/hooks';
import { t, useLocale } from '../../i18n';
import { type Api, ApiError, type EventInfo } from '../../sync/api';
import type { Credentials } from '../../sync/credentials';
import { TopBar, formatDate } from '../../ui/components';
import { JoinByCode } from '../start/StartView';
import { Loading, Message } from '../shared/page';
import { JoinForm } from '../participant/JoinForm';

type Loaded = { kind: 'loading' } | { kind: 'missing' } | { kind: 'failed'; busy: boolean } | { kind: 'ready'; info: EventInfo };

export function EventJoin({ api, credentials, code, event }: { api: Api; credentials: Credentials; code: string; event: string }) {
  useLocale();
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const load = (): void => {
    setLoaded({ kind: 'loading' });
    api.event(event).then(
      (info) => setLoaded(info ? { kind: 'ready', info } : { kind: 'missing' }),
      (failure: unknown) => setLoaded({ kind: 'failed', busy: failure instanceof ApiError && failure.status === 429 }),
    );
  };
  useEffect(load, [event]);

  switch (loaded.kind) {
    case 'loading':
      return <Loading />;
    case 'missing':
      return (
        <>
          <TopBar title="" />
          <main id="main" class="participant">
            <p class="error" role="alert">
              {t('join.unknownCode')}
            </p>
            <JoinByCode />
          </main>
        </>
      );
    case 'failed':
      return (
        <Message title={t(loaded.busy ? 'join.busyCode' : 'join.offlineCode')}>
          <button type="button" class="primary" onClick={load}>
            {t('start.joinButton')}
          </button>
        </Message>
      );
    case 'ready': {
      const { info } = loaded;
      return (
        <>
          <TopBar title="" />
          <main id="main" class="participant">
            <JoinForm
              code={code}
              title={info.title}
              subtitle={[formatDate(info.date), info.venue].filter((part) => part.length > 0).join(' · ')}
              attributes={info.attributes.filter((attribute) => attribute.id !== 'sector')}
              join={(request, attributes) => api.joinEvent(event, { ...request, attributes })}
              onJoined={(result) => {
                credentials.saveEventParticipant(event, { participantId: result.participantId, token: result.token, profile: result.profile });
                location.assign(`/e/${encodeURIComponent(event)}`);
              }}
            />
          </main>
        </>
      );
    }
  }
}
