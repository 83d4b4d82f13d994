import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Logger } from '../logger.js';

/** packages/web/dist, seen from packages/server/{src,dist}/web/. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const gzipAsync = promisify(gzip);

/** Text worth compressing for a phone on a slow network (images and fonts already are). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.webmanifest', '.map', '.svg', '.txt']);

/**
 * Files read (and compressed) once, by path, size and time of change: a rebuild while the
 * server runs is picked up; a handful of bundles, bounded anyway.
 */
class FileCache {
  private readonly entries = new Map<string, { key: string; data: Buffer }>();
  private readonly maxEntries = 256;

  constructor(private readonly load: (file: string) => Promise<Buffer>) {}

  async get(file: string, size: number, mtimeMs: number): Promise<Buffer> {
    const key = `${size}:${mtimeMs}`;
    const cached = this.entries.get(file);
    if (cached?.key === key) return cached.data;
    const data = await this.load(file);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(file, { key, data });
    return data;
  }
}

/** A file name with a content hash (Vite's `name-[hash].ext`), or anything under assets/: never changes. */
function isImmutable(relative: string): boolean {
  return relative.startsWith('assets/') || /[.-][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(path.basename(relative));
}

/**
 * The headers every page and file of the web app carries. The policy allows scripts and
 * connections only from the server itself (no inline script, nothing from a CDN: the app
 * works air-gapped); inline styles are allowed because chart and UI libraries set style
 * attributes. Framing is refused (clickjacking a "Approve" button).
 */
export function securityHeaders(connectOrigins: string[]): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      `connect-src 'self' ${connectOrigins.join(' ')}`.trim(),
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

/** The WebSocket origins of the server as the browser reached it (CSP `'self'` does not cover ws: everywhere). */
function wsOrigins(req: IncomingMessage, publicUrl: string | null, https: boolean): string[] {
  const origins = new Set<string>();
  if (publicUrl) origins.add(new URL(publicUrl).origin.replace(/^http/, 'ws'));
  const host = req.headers.host;
  if (host && /^[A-Za-z0-9.:[\]-]+$/.test(host)) origins.add(`${https ? 'wss' : 'ws'}://${host}`);
  return [...origins];
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Countersign: the web app is not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Countersign is running; its web app is not built</h1>
<p>The server is up: GraphQL is served at <a href="/graphql">/graphql</a>. The web app's files were not found at <code>%DIR%</code>.</p>
<p>Build them from the repository root with <code>pnpm --filter @countersign/web build</code> (or start with <code>pnpm start</code>, which builds everything), then reload this page.</p>
</body></html>
`;

/**
 * Serves the built single-page app: files as they are, and index.html for any other path
 * (the app routes in the browser: `/actions/<id>` from a notification opens that page).
 * A missing file with an extension stays a 404 (a stale asset must not come back as HTML).
 */
export function staticApp(options: { dir: string | null; publicUrl: string | null; logger: Logger; https: (req: IncomingMessage) => boolean }) {
  const root = path.resolve(options.dir ?? DEFAULT_WEB_DIR);
  const indexFile = path.join(root, 'index.html');
  const compressed = new FileCache(async (file) => gzipAsync(await readFile(file)));
  // index.html is asked for on every page load and deep link: read once per build.
  const pages = new FileCache((file) => readFile(file));

  const serveIndex = async (req: IncomingMessage, res: ServerResponse, headers: Record<string, string>) => {
    let html: Buffer;
    try {
      const info = await stat(indexFile);
      html = await pages.get(indexFile, info.size, info.mtimeMs);
    } catch {
      const page = NOT_BUILT.replace('%DIR%', escapeHtml(root));
      res.writeHead(503, { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : page);
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(html.length) });
    res.end(req.method === 'HEAD' ? undefined : html);
  };

  return (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    const headers = securityHeaders(wsOrigins(req, options.publicUrl, options.https(req)));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: { code: 'BAD_USER_INPUT', message: `${req.method} ${pathname}: the web app's pages take GET; the API is at /graphql.` } }));
      return;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(pathname).replace(/^\/+/, '');
    } catch {
      relative = '\0';
    }
    const file = path.resolve(root, relative);
    // Nothing outside the folder, no dotfiles, no NUL: those fall back to the app.
    const safe = !relative.includes('\0') && file.startsWith(root + path.sep) && !relative.split('/').some((part) => part.startsWith('.'));
    const fail = (error: unknown) => {
      options.logger.error({ err: error }, 'serving a web app file failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    };
    (safe && relative !== 'index.html' ? stat(file).catch(() => null) : Promise.resolve(null))
      .then(async (info) => {
        if (info?.isFile()) {
          const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
          const cache = isImmutable(relative) ? 'public, max-age=31536000, immutable' : 'no-cache';
          const ext = path.extname(file).toLowerCase();
          if (COMPRESSIBLE.has(ext) && info.size > 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
            const data = await compressed.get(file, info.size, info.mtimeMs);
            res.writeHead(200, { ...headers, 'content-type': type, 'content-encoding': 'gzip', vary: 'accept-encoding', 'content-length': String(data.length), 'cache-control': cache });
            res.end(req.method === 'HEAD' ? undefined : data);
            return;
          }
          res.writeHead(200, { ...headers, 'content-type': type, 'content-length': String(info.size), 'cache-control': cache, ...(COMPRESSIBLE.has(ext) ? { vary: 'accept-encoding' } : {}) });
          if (req.method === 'HEAD') {
            res.end();
            return;
          }
          createReadStream(file).on('error', fail).pipe(res);
          return;
        }
        if (path.extname(relative) !== '' && relative !== 'index.html') {
          res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : `Not found: ${pathname}\n`);
          return;
        }
        await serveIndex(req, res, headers);
      })
      .catch(fail);
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
