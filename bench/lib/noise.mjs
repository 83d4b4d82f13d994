import fs from 'node:fs';

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
