import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH_DIR, '..');
const LOG_DIR = path.join(BENCH_DIR, 'logs');

/** Set once by run.mjs: with `--profile`, measured phases write CPU profiles here. */
export const childDefaults = { profileDir: /** @type {string | null} */ (null) };

/**
 * Starts one of bench/children/*.mjs in its own process and waits for its `{ready, url}`.
 * Its output goes to bench/logs/<name>.log (printed on failure).
 *
 * @param {string} name label for logs and profiles
 * @param {string} script file under bench/children
 * @param {Record<string, string>} env
 * @param {{ readyTimeoutMs?: number }} [options]
 */
export async function startChild(name, script, env, { readyTimeoutMs = 60_000 } = {}) {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const log = fs.openSync(logFile, 'w');
  const execArgv = ['--expose-gc'];
  const child = fork(path.join(BENCH_DIR, 'children', script), [], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    execArgv,
    stdio: ['ignore', log, log, 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const tail = () => {
    try {
      return fs.readFileSync(logFile, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${readyTimeoutMs} ms\n${tail()}`)), readyTimeoutMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready\n${tail()}`));
    });
  });
  let stopped = null;
  const request = (message, isReply, timeoutMs = 60_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not answer ${JSON.stringify(message)}`)), timeoutMs);
      const onMessage = (reply) => {
        if (!isReply(reply)) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(reply);
      };
      child.on('message', onMessage);
      child.send(message);
    });
  return {
    name,
    url: /** @type {string} */ (ready.url),
    pid: /** @type {number} */ (child.pid),
    logFile,
    tail,
    /** Resident set size of the child alone, in bytes (VmRSS from /proc). */
    rss() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
      return kb * 1024;
    },
    /** process.memoryUsage() of a Countersign child, after a full GC when `gc` is set. */
    async memory(gc = false) {
      return (await request({ memory: true, gc }, (m) => m.memory)).memory;
    },
    /** Writes a V8 heap snapshot of a Countersign child to `file` (diagnosis only). */
    async heapSnapshot(file) {
      return (await request({ heapSnapshot: file }, (m) => m.heapSnapshot, 300_000)).heapSnapshot;
    },
    /**
     * With `--profile`, starts a CPU profile in a Countersign child; `stop` writes it to
     * bench/profiles/<child>.<label>.cpuprofile. Without `--profile` both do nothing.
     */
    async startProfile() {
      if (!childDefaults.profileDir) return;
      await request({ profile: { action: 'start' } }, (m) => m.profile?.action === 'start');
    },
    async stopProfile(label) {
      if (!childDefaults.profileDir) return null;
      fs.mkdirSync(childDefaults.profileDir, { recursive: true });
      const file = path.join(childDefaults.profileDir, `${name}.${label}.cpuprofile`);
      const reply = await request({ profile: { action: 'stop', file } }, (m) => m.profile?.action === 'stop');
      return reply.profile.file ?? null;
    },
    /** Total CPU time (user + system) the child has used so far, in ms. */
    cpuMs() {
      const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    },
    /** Asks it to shut down cleanly (so a CPU profile is written), then kills it after a grace period. */
    stop(graceMs = 20_000) {
      stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.send({ stop: true });
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
        fs.closeSync(log);
      })();
      return stopped;
    },
  };
}
