// Samples pg_stat_activity for one database while a scenario runs: how many of the
// server's connections are running, idle in a transaction, or waiting (and on what). A
// lock that serialises the work shows up as connections waiting on it.

/**
 * Starts sampling every `intervalMs`; `stop()` returns the average number of backends in
 * each state/wait, most common first, e.g. `{ "active: Lock/transactionid": 7.4, … }`.
 */
export function sampleActivity(db, { intervalMs = 100, maxSamples = 3000 } = {}) {
  const totals = new Map();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    const client = await db.client();
    try {
      while (running && samples < maxSamples) {
        const rows = (await client.query(
          `select state, coalesce(wait_event_type, 'CPU') || coalesce('/' || wait_event, '') as wait, count(*)::int as n
           from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'
           group by 1, 2`,
        )).rows;
        samples++;
        for (const r of rows) {
          const key = `${r.state}: ${r.wait}`;
          totals.set(key, (totals.get(key) ?? 0) + r.n);
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.catch(() => undefined);
      const result = {};
      for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1])) {
        if (k.startsWith('idle: Client/ClientRead')) continue;
        result[k] = Math.round((v / Math.max(1, samples)) * 100) / 100;
      }
      return { samples, averageBackends: result };
    },
  };
}

/** The top entries of a {@link sampleActivity} result as one short sentence. */
export function describeActivity(activity, top = 4) {
  return Object.entries(activity.averageBackends)
    .slice(0, top)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
}
