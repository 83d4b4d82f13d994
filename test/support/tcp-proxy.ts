import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** One client connection and its upstream twin. */
interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
}

/**
 * A TCP proxy between a server and its database, to fail the network the way production
 * does: `cut()` resets every connection and refuses new ones (a database that is down);
 * `blackHole()` keeps every connection open and accepts new ones but forwards nothing
 * either way (a database, or a network, that stops answering); `restore()` forwards again.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private server: net.Server | null = null;
  private mode: 'forward' | 'cut' | 'black-hole' = 'forward';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Proxies `databaseUrl`'s host and port; returns the URL to give the server instead. */
  static async for(databaseUrl: string): Promise<{ proxy: TcpProxy; url: string }> {
    const target = new URL(databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.listen();
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);
    return { proxy, url: target.toString() };
  }

  private async listen(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private accept(client: net.Socket): void {
    const pair: Pair = { client, upstream: null };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      pair.upstream?.destroy();
      this.pairs.delete(pair);
    });
    // Accepted, never answered: the client waits on its own timeouts.
    if (this.mode === 'black-hole') return;
    const upstream = net.connect(this.targetPort, this.targetHost);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** The database is gone: connections reset, new ones refused. */
  async cut(): Promise<void> {
    this.mode = 'cut';
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    this.destroyAll();
    await closed;
  }

  /** The database stops answering: nothing more is forwarded, and nothing is closed. */
  blackHole(): void {
    this.mode = 'black-hole';
    for (const { client, upstream } of this.pairs) {
      client.unpipe();
      upstream?.unpipe();
      client.pause();
      upstream?.pause();
    }
  }

  /** Forwards again. Black-holed connections are reset (as a network that heals finds them: dead). */
  async restore(): Promise<void> {
    this.destroyAll();
    this.mode = 'forward';
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    this.mode = 'cut';
    this.destroyAll();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private destroyAll(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream?.destroy();
    }
    this.pairs.clear();
  }
}
