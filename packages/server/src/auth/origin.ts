import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isSameOrigin } from './session-rules.js';

/**
 * Whether the request reached the client over https: a TLS socket, a proxy that says so,
 * or a public URL that is https (then the cookie is Secure whatever the hop to this
 * process was).
 */
export function cameOverHttps(req: IncomingMessage, publicUrl: string | null): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  if (publicUrl?.startsWith('https:')) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  return typeof forwarded === 'string' && forwarded.split(',')[0]!.trim() === 'https';
}

/** Whether a browser request with the session cookie comes from the server's own pages (CSRF). */
export function requestFromOwnOrigin(req: IncomingMessage, publicUrl: string | null): boolean {
  const site = req.headers['sec-fetch-site'];
  return isSameOrigin(
    { origin: req.headers.origin, host: req.headers.host, 'sec-fetch-site': typeof site === 'string' ? site : undefined },
    { publicUrl, secure: cameOverHttps(req, null) },
  );
}
