import { useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql/index.js';
import { percent, seconds, words } from '../format.js';
import { Empty, ErrorNote, Loading } from '../components/ui.js';
import { TimeChart } from './Chart.js';

const MetricsQuery = graphql(`
  query Oversight($window: String) {
    metrics(window: $window) {
      window bucket since until
      submitted pending unreviewed decided approved denied changesRequested
      approvalRate escalations expired escalationRate
      decisionLatency { p50 p90 }
      series { at decided approved queueDepth escalations decisionLatencyP50 }
      alerts { kind severity subject message suggestion }
    }
  }
`);

const WINDOWS = [['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days']] as const;

const fmtRate = (v: number | null) => (v === null ? '' : `${Math.round(v * 100)}%`);
const fmtCount = (v: number | null) => (v === null ? '' : String(Math.round(v)));
const fmtMinutes = (v: number | null) => (v === null ? '' : `${v < 10 ? Number(v.toFixed(1)) : Math.round(v)} min`);

/** `/oversight`: the admin's landing page — how governance is working, and what to change. */
export default function Oversight() {
  const [window, setWindow] = useState<string>('24h');
  const [result, refetch] = useQuery({ query: MetricsQuery, variables: { window }, requestPolicy: 'cache-and-network' });
  const m = result.data?.metrics;
  const series = useMemo(() => {
    const s = m?.series ?? [];
    return {
      times: s.map((p) => new Date(p.at).getTime() / 1000),
      approval: s.map((p) => (p.decided ? p.approved / p.decided : null)),
      latency: s.map((p) => (p.decisionLatencyP50 === null || p.decisionLatencyP50 === undefined ? null : p.decisionLatencyP50 / 60)),
      depth: s.map((p) => p.queueDepth),
      escalations: s.map((p) => p.escalations),
    };
  }, [m]);

  return (
    <section aria-labelledby="oversight-title">
      <div className="page-head row wrap spread">
        <h1 id="oversight-title">Oversight</h1>
        <label className="inline">
          <span>Window</span>
          <select value={window} onChange={(e) => setWindow(e.target.value)}>
            {WINDOWS.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
          </select>
        </label>
      </div>
      {result.error && !m ? <ErrorNote error={result.error} retry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {!m && !result.error ? <Loading what="Loading the numbers" /> : null}
      {m ? (
        <>
          <div className="stats">
            <Stat label="Approval rate" value={percent(m.approvalRate)} note={`${m.approved} of ${m.decided} decided`} />
            <Stat label="Time to decision" value={seconds(m.decisionLatency.p50)} note={`median · p90 ${seconds(m.decisionLatency.p90)}`} />
            <Stat label="Queue depth" value={String(m.pending)} note={`${m.unreviewed} to review`} />
            <Stat label="Escalations" value={String(m.escalations)} note={`${m.expired} expired`} />
          </div>
          <section className="card" aria-labelledby="alerts-title">
            <h2 id="alerts-title">Fatigue alerts</h2>
            {m.alerts.length === 0 ? <Empty title="No alerts.">Approvals look healthy over this window.</Empty> : (
              <ul className="alerts">
                {m.alerts.map((a, i) => (
                  <li key={i} className={`alert sev-${a.severity.toLowerCase()}`}>
                    <span className={`badge sev-${a.severity.toLowerCase()}`}>{words(a.severity)}</span> <strong>{words(a.kind)}</strong>
                    {a.subject ? <span className="muted"> · {a.subject}</span> : null}
                    <p>{a.message}</p>
                    <p className="suggestion"><span className="muted">Suggestion:</span> {a.suggestion}</p>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <div className="charts">
            <TimeChart title="Approval rate" unit="approved of decided" times={series.times} values={series.approval} format={fmtRate} />
            <TimeChart title="Time to decision" unit="median minutes" times={series.times} values={series.latency} format={fmtMinutes} />
            <TimeChart title="Queue depth" unit="waiting" times={series.times} values={series.depth} format={fmtCount} integer />
            <TimeChart title="Escalations" unit="per bucket" times={series.times} values={series.escalations} format={fmtCount} integer />
          </div>
          <p className="muted small">{m.submitted} requests submitted in the window; one point every {m.bucket}.</p>
        </>
      ) : null}
    </section>
  );
}

function Stat({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <div className="card stat">
      <p className="stat-label">{label}</p>
      <p className="stat-value">{value}</p>
      <p className="muted small">{note}</p>
    </div>
  );
}
