// One Countersign instance in its own process, so that its CPU and RSS are its own and
// the load generator does not share its event loop. Configured through the environment
// exactly like `pnpm start` (packages/server/src/main.ts); reports its URL over IPC.
import fs from 'node:fs';
import inspector from 'node:inspector';
import v8 from 'node:v8';
import { pathToFileURL } from 'node:url';

// `COUNTERSIGN_BENCH_SERVER_MODULE` (a file path) serves another build of the server
// instead, to compare two builds (bench/tools/compare-push.mjs).
const serverModule = process.env.COUNTERSIGN_BENCH_SERVER_MODULE;
const { createApp, loadConfig } = await import(serverModule ? pathToFileURL(serverModule).href : '@countersign/server');

const result = loadConfig(process.env);
if (!result.ok) {
  process.stderr.write(`invalid configuration:\n${result.errors.join('\n')}\n`);
  process.exit(2);
}
const app = await createApp(result.config);
process.send({ ready: true, url: app.url, pid: process.pid });

process.on('message', (message) => {
  if (message?.memory) {
    // The bench asks for the heap after a full collection, to tell live memory from garbage.
    if (message.gc && typeof globalThis.gc === 'function') globalThis.gc();
    process.send({ memory: process.memoryUsage() });
  }
  if (message?.heapSnapshot) {
    // For diagnosis (bench/tools/heap-top.mjs): what the live heap is made of.
    process.send({ heapSnapshot: v8.writeHeapSnapshot(message.heapSnapshot) });
  }
  if (message?.profile) handleProfile(message.profile);
  if (message?.stop) {
    app.dispose().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`dispose failed: ${error?.stack ?? error}\n`);
        process.exit(1);
      },
    );
  }
});
process.on('disconnect', () => process.exit(0));

// CPU profiles of the measured phases only (`pnpm bench --profile`), not of start-up and seeding.
let session = null;
function handleProfile({ action, file }) {
  const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  const reply = (extra) => process.send({ profile: { action, ...extra } });
  if (action === 'start') {
    session ??= new inspector.Session();
    session.connect();
    post('Profiler.enable')
      .then(() => post('Profiler.setSamplingInterval', { interval: 500 }))
      .then(() => post('Profiler.start'))
      .then(() => reply({}), (error) => reply({ error: String(error) }));
  } else if (action === 'stop' && session) {
    post('Profiler.stop')
      .then(({ profile }) => {
        fs.writeFileSync(file, JSON.stringify(profile));
        session.disconnect();
        reply({ file });
      })
      .catch((error) => reply({ error: String(error) }));
  }
}
