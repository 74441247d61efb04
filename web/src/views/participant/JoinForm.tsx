import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { LIMITS, SECTORS, type Sector, isSector } from '../../board';
import { t, useLocale } from '../../i18n';
import { ApiError, type EventAttribute, type JoinRequest, type Joined, type Notices } from '../../sync/api';
import { PrivacyNotice } from './PrivacyNotice';
import { labelIn } from '../event/place-text';
import { apiFailureText } from '../../ui/errors';
import type { Profile } from '../../board';

export interface JoinResult {
  participantId: string;
  token: string;
  profile: Profile;
}

/** An event's attributes the person has not chosen a value for (all are required). */
export function missingAttributes(attributes: readonly EventAttribute[], chosen: Readonly<Record<string, string>>): EventAttribute[] {
  return attributes.filter((attribute) => !attribute.values.some((value) => value.id === chosen[attribute.id]));
}

/**
 * One screen, phone first: name, organisation, sector, then optional contact
 * details with an explicit consent box. Contact data goes to the server only,
 * never into the shared document. For an event, a select for each further
 * attribute the event defines (municipality size, …), labelled in the
 * screen's language. `join` sends it: to the board, or to the event.
 */
export function JoinForm({
  code,
  title,
  subtitle,
  attributes = [],
  join,
  onJoined,
  loadNotice,
}: {
  code: string;
  title: string;
  subtitle?: string;
  /** The event's attributes besides the sector. */
  attributes?: readonly EventAttribute[];
  join: (request: JoinRequest, attributes: Record<string, string>) => Promise<Joined>;
  onJoined: (result: JoinResult) => void;
  /** The privacy notice (the server's, by default). */
  loadNotice?: () => Promise<Notices>;
}) {
  const language = useLocale();
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [name, setName] = useState('');
  const [organisation, setOrganisation] = useState('');
  const [sector, setSector] = useState<Sector | ''>('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [consent, setConsent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (!name.trim() || sector === '') {
      setError(t('join.required'));
      return;
    }
    const missing = missingAttributes(attributes, chosen);
    if (missing.length > 0) {
      setError(t('join.attributeRequired', { names: missing.map((attribute) => labelIn(attribute.label, language)).join(', ') }));
      return;
    }
    if (email.trim() && !email.includes('@')) {
      setError(t('join.emailInvalid'));
      return;
    }
    setBusy(true);
    setError(null);
    const request: JoinRequest = { join_code: code, name: name.trim(), organisation: organisation.trim(), sector };
    if (email.trim()) request.email = email.trim();
    if (phone.trim()) request.phone = phone.trim();
    if (email.trim() || phone.trim()) request.contact_consent = consent;
    try {
      const values = Object.fromEntries(attributes.map((attribute) => [attribute.id, chosen[attribute.id] ?? '']));
      const joined = await join(request, values);
      onJoined({
        participantId: joined.participant_id,
        token: joined.token,
        profile: { name: request.name, organisation: request.organisation, sector },
      });
    } catch (failure) {
      setBusy(false);
      if (failure instanceof ApiError && failure.offline) setError(t('join.offlineCode'));
      else if (failure instanceof ApiError && failure.status === 403) setError(t('join.unknownCode'));
      else setError(t('join.error', { reason: apiFailureText(failure) }));
    }
  };

  return (
    <form class="panel form join-form" onSubmit={(e) => void submit(e)} noValidate>
      <h1>{t('join.title')}</h1>
      <p class="join-board">
        {title}
        {subtitle && subtitle !== title ? ` · ${subtitle}` : ''}
      </p>
      {/* Before the first field: what happens with what the person types. */}
      <PrivacyNotice load={loadNotice} />
      <label for="join-name">{t('join.name')}</label>
      <input
        id="join-name"
        required
        autocomplete="name"
        enterkeyhint="next"
        maxLength={LIMITS.name}
        value={name}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <label for="join-organisation">{t('join.organisation')}</label>
      <input
        id="join-organisation"
        autocomplete="organization"
        enterkeyhint="next"
        maxLength={LIMITS.organisation}
        value={organisation}
        onInput={(e) => setOrganisation(e.currentTarget.value)}
      />
      <label for="join-sector">{t('join.sector')}</label>
      <select
        id="join-sector"
        required
        value={sector}
        onChange={(e) => {
          const value = e.currentTarget.value;
          setSector(isSector(value) ? value : '');
        }}
      >
        <option value="">{t('join.sectorChoose')}</option>
        {SECTORS.map((s) => (
          <option key={s} value={s}>
            {t(`sector.${s}`)}
          </option>
        ))}
      </select>
      {attributes.map((attribute) => (
        <Fragment key={attribute.id}>
          <label for={`join-attribute-${attribute.id}`}>{labelIn(attribute.label, language)}</label>
          <select
            id={`join-attribute-${attribute.id}`}
            required
            value={chosen[attribute.id] ?? ''}
            onChange={(e) => {
              const value = e.currentTarget.value;
              setChosen((current) => ({ ...current, [attribute.id]: value }));
            }}
          >
            <option value="">{t('join.sectorChoose')}</option>
            {attribute.values.map((value) => (
              <option key={value.id} value={value.id}>
                {labelIn(value.label, language)}
              </option>
            ))}
          </select>
        </Fragment>
      ))}
      <fieldset class="contact">
        <legend>{t('join.contactHeading')}</legend>
        <p id="contact-hint" class="small">
          {t('join.contactHint')}
        </p>
        <label for="join-email">{t('join.email')}</label>
        <input
          id="join-email"
          type="email"
          autocomplete="email"
          inputMode="email"
          aria-describedby="contact-hint"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <label for="join-phone">{t('join.phone')}</label>
        <input
          id="join-phone"
          type="tel"
          autocomplete="tel"
          aria-describedby="contact-hint"
          value={phone}
          onInput={(e) => setPhone(e.currentTarget.value)}
        />
        <div class="checkbox">
          <input id="join-consent" type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />
          <label for="join-consent">{t('join.consent')}</label>
        </div>
      </fieldset>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t('join.joining') : t('join.submit')}
      </button>
    </form>
  );
}
