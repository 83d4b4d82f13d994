import fs from 'node:fs';
import pg from 'pg';

function cpuTimes() {
  const [, ...fields] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = fields[3] + (fields[4] ?? 0);
  const total = fields.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** Fraction of the machine's CPU (all cores) busy over the next `ms`. */
export async function busyFraction(ms = 1000) {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

/**
 * The box is shared: before a scenario, wait (boundedly) for other work to calm down, and
 * say how busy the machine was, so a noisy figure can be recognised as such.
 */
export async function waitForQuiet({ maxWaitMs, threshold = 0.25, log }) {
  const deadline = Date.now() + maxWaitMs;
  let busy = await busyFraction();
  while (busy > threshold && Date.now() < deadline) {
    log(`the machine is ${(busy * 100).toFixed(0)}% busy with other work; waiting for it to calm down`);
    await new Promise((r) => setTimeout(r, 4000));
    busy = await busyFraction();
  }
  return busy;
}

/** CPU ticks (user + system) of every process now, with its parent and command. */
function processTimes() {
  const out = new Map();
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      out.set(Number(pid), { ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/**
 * Measures how much CPU other work on the box used while a scenario ran: every process
 * that is not this run (the bench and its children) nor a PostgreSQL process serving it,
 * in cores (PostgreSQL's own background processes count as ours). On a
 * 2-core box, 0.5 means a quarter of the machine went to someone else's work.
 */
export function otherLoadMeter(pgAdminUrl) {
  const start = processTimes();
  const t0 = Date.now();
  return async () => {
    const end = processTimes();
    // PostgreSQL backends serving someone else's database count as other work too.
    const foreign = new Set();
    try {
      const client = new pg.Client({ connectionString: pgAdminUrl });
      await client.connect();
      const { rows } = await client.query(`select pid from pg_stat_activity where backend_type = 'client backend' and datname not like 'cs_bench_%'`);
      for (const r of rows) foreign.add(r.pid);
      await client.end();
    } catch {
      // counted without them
    }
    const seconds = (Date.now() - t0) / 1000;
    const ours = new Set([process.pid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, p] of end) if (!ours.has(pid) && ours.has(p.ppid)) (ours.add(pid), (grew = true));
    }
    let ticks = 0;
    for (const [pid, p] of end) {
      if (ours.has(pid) || (p.comm === 'postgres' && !foreign.has(pid))) continue;
      ticks += p.ticks - (start.get(pid)?.ticks ?? 0);
    }
    return Math.round((ticks / 100 / seconds) * 100) / 100;
  };
}
