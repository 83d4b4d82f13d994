import WebSocket from 'ws';

/** What became of one operation sent on a {@link RawSocket}. */
export type OperationOutcome =
  | { kind: 'next'; payload: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } }
  | { kind: 'error'; errors: { message: string; extensions?: { code?: string; [key: string]: unknown } }[] }
  | { kind: 'closed'; code: number };

/**
 * A graphql-ws (graphql-transport-ws) connection driven message by message, so a test sees
 * exactly what the server sent and the close code it closed with — what a client library
 * would otherwise turn into retries or generic errors.
 */
export class RawSocket {
  private readonly socket: WebSocket;
  private nextId = 0;
  private readonly listeners = new Map<string, (message: { type: string; payload?: unknown }) => void>();
  /** Resolves with the close code when the socket closes (whoever closed it). */
  readonly closed: Promise<number>;
  /** Set once closed. */
  closeCode: number | null = null;
  /** Operations the server completed (by id). */
  readonly completed = new Set<string>();
  /** `next` payloads per operation id. */
  readonly values = new Map<string, unknown[]>();
  private readonly errors = new Map<string, unknown>();

  private constructor(url: string, headers: Record<string, string> = {}) {
    this.socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers });
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code) => {
        this.closeCode = code;
        for (const listener of [...this.listeners.values()]) listener({ type: 'closed', payload: code });
        resolve(code);
      });
    });
    this.socket.on('error', () => undefined);
    this.socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { id?: string; type: string; payload?: unknown };
      if (message.id !== undefined) {
        if (message.type === 'next') (this.values.get(message.id) ?? this.values.set(message.id, []).get(message.id)!).push(message.payload);
        if (message.type === 'error') this.errors.set(message.id, message.payload);
        if (message.type === 'complete' || message.type === 'error') this.completed.add(message.id);
      }
      this.listeners.get(message.id ?? '')?.(message);
    });
  }

  /** Opens a connection and completes `connection_init`; resolves with the socket, or with the close code when refused. */
  static async open(url: string, token?: string, headers: Record<string, string> = {}): Promise<{ socket: RawSocket; ack: true } | { socket: RawSocket; ack: false; code: number }> {
    const raw = new RawSocket(url, headers);
    await new Promise<void>((resolve, reject) => {
      raw.socket.once('open', () => resolve());
      raw.socket.once('error', reject);
      void raw.closed.then(() => resolve());
    });
    if (raw.closeCode !== null) return { socket: raw, ack: false, code: raw.closeCode };
    const acked = new Promise<boolean>((resolve) => {
      raw.listeners.set('', (message) => resolve(message.type === 'connection_ack'));
    });
    raw.socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
    const ok = await acked;
    raw.listeners.delete('');
    if (ok) return { socket: raw, ack: true };
    return { socket: raw, ack: false, code: await raw.closed };
  }

  /** Like {@link open}, failing when the server refuses the connection; `headers` go with the upgrade (a web app's session cookie and Origin). */
  static async connect(url: string, token?: string, headers: Record<string, string> = {}): Promise<RawSocket> {
    const opened = await RawSocket.open(url, token, headers);
    if (!opened.ack) throw new Error(`the server refused the connection with ${opened.code}`);
    return opened.socket;
  }

  /** Sends an operation without waiting; returns its id. */
  start(query: string, variables: Record<string, unknown> = {}): string {
    const id = String(++this.nextId);
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
    return id;
  }

  /** Sends an operation and resolves with its first answer: a result, an error, or the socket closing. */
  request(query: string, variables: Record<string, unknown> = {}): Promise<OperationOutcome> {
    if (this.closeCode !== null) return Promise.resolve({ kind: 'closed', code: this.closeCode });
    const id = String(this.nextId + 1);
    const outcome = new Promise<OperationOutcome>((resolve) => {
      this.listeners.set(id, (message) => {
        this.listeners.delete(id);
        if (message.type === 'next') resolve({ kind: 'next', payload: message.payload as never });
        else if (message.type === 'error') resolve({ kind: 'error', errors: message.payload as never });
        else if (message.type === 'closed') resolve({ kind: 'closed', code: message.payload as number });
        else resolve({ kind: 'error', errors: [{ message: `unexpected ${message.type}` }] });
      });
    });
    this.start(query, variables);
    return outcome;
  }

  /** The errors the server ended an operation with, if it did. */
  errorsOf(id: string): unknown {
    return this.errors.get(id);
  }

  /** Completes an operation from the client's side (unsubscribes). */
  stop(id: string): void {
    this.socket.send(JSON.stringify({ id, type: 'complete' }));
  }

  close(): void {
    this.socket.close();
  }
}
