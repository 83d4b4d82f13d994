// The queue-push baseline (DESIGN §9): a bare graphql-ws server (same ws + graphql-ws
// `useServer` as packages/server/src/graphql/ws.ts) whose one subscription delivers a
// payload of a given size to every subscriber when `POST /publish` is called — the
// in-process fan-out with nothing of Countersign's in it.
import http from 'node:http';
import { EventEmitter } from 'node:events';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { buildSchema } from 'graphql';

const schema = buildSchema(`
  type Query { ok: Boolean! }
  type Update { actionId: ID!, body: String! }
  type Subscription { updated: Update! }
`);
const emitter = new EventEmitter();
emitter.setMaxListeners(0);

function subscription() {
  const queue = [];
  let wake = null;
  const listener = (payload) => {
    queue.push(payload);
    wake?.();
  };
  emitter.on('update', listener);
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (queue.length === 0) await new Promise((resolve) => (wake = resolve));
      wake = null;
      return { value: { updated: queue.shift() }, done: false };
    },
    async return() {
      emitter.off('update', listener);
      return { value: undefined, done: true };
    },
  };
}

const roots = { query: { ok: () => true }, subscription: { updated: () => subscription() } };
const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url?.startsWith('/publish')) {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { actionId, size } = JSON.parse(body);
      emitter.emit('update', { actionId, body: 'x'.repeat(size) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    return;
  }
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ server, path: '/graphql' });
useServer({ schema, roots }, wss);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.send({ ready: true, url: `http://127.0.0.1:${port}/graphql`, pid: process.pid });
});
process.on('message', (message) => {
  if (message?.stop) {
    for (const socket of wss.clients) socket.terminate();
    wss.close(() => server.close(() => process.exit(0)));
  }
});
process.on('disconnect', () => process.exit(0));
