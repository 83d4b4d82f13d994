import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql/index.js';
import { ErrorNote, Loading } from '../components/ui.js';
import { SlackSection } from './SlackSection.js';

const SettingsQuery = graphql(`
  query Settings {
    me {
      kind
      approver {
        id
        notificationPreferences { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled }
      }
    }
  }
`);

const UpdateNotifications = graphql(`
  mutation UpdateNotifications($input: NotificationPreferencesInput!) {
    updateMyNotifications(input: $input) { emailAssigned emailEscalated emailAboutToExpire emailDigest digestHourUtc email emailEnabled }
  }
`);

type EmailChoices = { emailAssigned: boolean; emailEscalated: boolean; emailAboutToExpire: boolean; emailDigest: boolean; digestHourUtc: number };

/** What the form edits (the query also says where mail goes, which is not the approver's to change). */
const choicesOf = (p: EmailChoices): EmailChoices => ({
  emailAssigned: p.emailAssigned, emailEscalated: p.emailEscalated, emailAboutToExpire: p.emailAboutToExpire, emailDigest: p.emailDigest, digestHourUtc: p.digestHourUtc,
});

const pad = (n: number) => String(n).padStart(2, '0');

/** "08:00 UTC (09:00 here)": the digest hour is kept in UTC, read in the browser's time too. */
function hourLabel(hour: number): string {
  const at = new Date();
  at.setUTCHours(hour, 0, 0, 0);
  const local = `${pad(at.getHours())}:${pad(at.getMinutes())}`;
  const utc = `${pad(hour)}:00`;
  return local === utc ? `${utc} UTC` : `${utc} UTC (${local} here)`;
}

/** `/settings`: how Countersign reaches me. One card per channel. */
export default function Settings() {
  const [result, refetch] = useQuery({ query: SettingsQuery, requestPolicy: 'cache-and-network' });
  if (!result.data) return result.error ? <ErrorNote error={result.error} retry={() => refetch({ requestPolicy: 'network-only' })} /> : <Loading what="Loading your settings" />;
  const prefs = result.data.me.approver?.notificationPreferences;
  return (
    <section aria-labelledby="settings-title">
      <div className="page-head">
        <h1 id="settings-title">Settings</h1>
        <p className="muted">How Countersign tells you about requests that need you. Every message links to the request here; nothing is approved from a message.</p>
      </div>
      {prefs ? <EmailSettings prefs={prefs} /> : <p className="muted">Notification settings are an approver’s; admins have none.</p>}
      <SlackSection />
    </section>
  );
}

function EmailSettings({ prefs }: { prefs: EmailChoices & { email: string | null; emailEnabled: boolean } }) {
  const [saved, save] = useMutation(UpdateNotifications);
  const [choices, setChoices] = useState<EmailChoices>(() => choicesOf(prefs));
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => setChoices(choicesOf(prefs)), [prefs]);
  const set = <K extends keyof EmailChoices>(key: K, value: EmailChoices[K]) => {
    setDone(null);
    setChoices((c) => ({ ...c, [key]: value }));
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const result = await save({ input: choices });
    if (!result.error) setDone('Saved.');
  }

  const toggles: [keyof EmailChoices, string, string][] = [
    ['emailAssigned', 'A request waits for my approval', 'email-assigned'],
    ['emailEscalated', 'A request escalates to me', 'email-escalated'],
    ['emailAboutToExpire', 'A request waiting for me is about to time out', 'email-about-to-expire'],
    ['emailDigest', 'A daily digest of my review queue', 'email-digest'],
  ];
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="email-settings-title">
      <h2 id="email-settings-title">Email</h2>
      {!prefs.emailEnabled ? (
        <p className="note" role="note">This server sends no email yet (an admin sets COUNTERSIGN_SMTP_URL); your choices apply once it does.</p>
      ) : null}
      <p className="muted">
        {prefs.email ? <>Mail goes to <strong>{prefs.email}</strong>.</> : 'You have no email address in Countersign: ask an admin to add one.'}
      </p>
      <fieldset className="field">
        <legend>Email me when</legend>
        <div className="stack">
          {toggles.map(([key, label, id]) => (
            <label key={key} className="check" htmlFor={id}>
              <input id={id} type="checkbox" checked={choices[key] as boolean} onChange={(e) => set(key, e.target.checked)} /> {label}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="digest-hour">Send the digest at</label>
        <select id="digest-hour" value={choices.digestHourUtc} disabled={!choices.emailDigest} onChange={(e) => set('digestHourUtc', Number(e.target.value))}>
          {Array.from({ length: 24 }, (_, hour) => <option key={hour} value={hour}>{hourLabel(hour)}</option>)}
        </select>
      </div>
      {saved.error ? <ErrorNote error={saved.error} /> : null}
      {done ? <p className="note success" role="status">{done}</p> : null}
      <button type="submit" className="button primary" disabled={saved.fetching}>Save</button>
    </form>
  );
}
