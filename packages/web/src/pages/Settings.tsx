import { SlackSection } from './SlackSection.js';

/** `/settings`: how Countersign reaches you. */
export default function Settings() {
  return (
    <section aria-labelledby="settings-title">
      <div className="page-head">
        <h1 id="settings-title">Settings</h1>
        <p className="muted">Where Countersign tells you about requests that wait for you.</p>
      </div>
      <SlackSection />
    </section>
  );
}
