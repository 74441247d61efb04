/**
 * The privacy notice (GDPR Art. 13) at the top of the join screens, before
 * the first field: who is responsible, what is visible to whom and how long
 * it is kept in view; the purpose, the legal basis, the person's rights and
 * the data protection contact one tap away. The texts are the server
 * operator's (`GET /api/notice`), in the screen's language.
 */
import { useEffect, useState } from 'preact/hooks';
import { t, useLocale } from '../../i18n';
import { Api, type Notices } from '../../sync/api';

/** The server's notice; one function, so the effect below runs once. */
const fromServer = (): Promise<Notices> => new Api().notice();

export function PrivacyNotice({ load = fromServer }: { load?: (() => Promise<Notices>) | undefined }) {
  const language = useLocale();
  const [notices, setNotices] = useState<Notices | null>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (loaded) => {
        if (current) setNotices(loaded);
      },
      () => {
        if (current) setFailed(true);
      },
    );
    return () => {
      current = false;
    };
  }, [load, attempt]);
  if (!notices) {
    return (
      <section class="notice" aria-labelledby="notice-heading">
        <h2 id="notice-heading">{t('notice.heading')}</h2>
        {failed ? (
          <p role="alert">
            {t('notice.failed')}{' '}
            <button
              type="button"
              onClick={() => {
                setFailed(false);
                setAttempt(attempt + 1);
              }}
            >
              {t('notice.retry')}
            </button>
          </p>
        ) : (
          <p class="muted">{t('notice.loading')}</p>
        )}
      </section>
    );
  }
  const notice = notices[language];
  return (
    <section class="notice" aria-labelledby="notice-heading">
      <h2 id="notice-heading">{t('notice.heading')}</h2>
      <dl>
        <dt>{t('notice.controller')}</dt>
        <dd>{notice.controller}</dd>
        <dt>{t('notice.visibility')}</dt>
        <dd>{notice.visibility}</dd>
        <dt>{t('notice.retention')}</dt>
        <dd>{notice.retention}</dd>
      </dl>
      <details>
        <summary>{t('notice.more')}</summary>
        <dl>
          <dt>{t('notice.purpose')}</dt>
          <dd>{notice.purpose}</dd>
          <dt>{t('notice.legalBasis')}</dt>
          <dd>{notice.legal_basis}</dd>
          <dt>{t('notice.rights')}</dt>
          <dd>{notice.rights}</dd>
          <dt>{t('notice.contact')}</dt>
          <dd>{notice.contact}</dd>
        </dl>
      </details>
    </section>
  );
}
