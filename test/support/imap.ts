import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from './process.js';
import { waitFor } from './wait.js';

const DOVECOT = ['/usr/sbin/dovecot', '/usr/bin/dovecot'].find((path) => existsSync(path));

/** A message in the test mailbox and whether it was read. */
export interface StoredMessage {
  uid: number;
  seen: boolean;
  subject: string;
}

/**
 * A real IMAP server (Debian's Dovecot, `dovecot-imapd`) of the test's own: one mailbox
 * `bounces` on a free local port, plain text login (loopback only), mail in a temporary
 * maildir. `.ci/run` installs Dovecot when it is missing.
 */
export class TestImap {
  private constructor(
    readonly port: number,
    readonly user: string,
    readonly password: string,
    private readonly dir: string,
    private readonly process: ChildProcess,
  ) {}

  static async start(): Promise<TestImap> {
    if (!DOVECOT) throw new Error('Dovecot is not installed: apt-get install -y dovecot-imapd (.ci/run does this).');
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'countersign-imap-'));
    await chmod(dir, 0o755);
    const password = randomBytes(12).toString('hex');
    // As root, Dovecot's own users run its processes and own the mail; otherwise the current user does.
    const root = process.getuid?.() === 0;
    const me = userInfo().username;
    const loginUser = root ? 'dovenull' : me;
    const internalUser = root ? 'dovecot' : me;
    const mailUser = root ? 'dovecot' : me;
    await mkdir(join(dir, 'mail'));
    if (root) {
      const uid = Number(execFileSync('id', ['-u', mailUser]).toString());
      const gid = Number(execFileSync('id', ['-g', mailUser]).toString());
      await chown(join(dir, 'mail'), uid, gid);
    }
    await writeFile(join(dir, 'users'), `bounces:{PLAIN}${password}\n`, { mode: 0o644 });
    await writeFile(join(dir, 'dovecot.conf'), `
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = countersign-test-${port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Refused logins answered at once (the tests count them).
auth_failure_delay = 0
log_path = ${dir}/dovecot.log
default_login_user = ${loginUser}
default_internal_user = ${internalUser}
first_valid_uid = 0
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/users
}
userdb {
  driver = static
  args = uid=${mailUser} gid=${mailUser} home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
`);
    const child = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const imap = new TestImap(port, 'bounces', password, dir, child);
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`Dovecot exited: ${stderr}`);
      try {
        await imap.withClient(async () => undefined);
        return true;
      } catch {
        return undefined;
      }
    }, { what: 'Dovecot accepting logins' });
    return imap;
  }

  /** What the server is configured with: COUNTERSIGN_BOUNCE_IMAP_URL. */
  get url(): string {
    return `imap://${this.user}:${this.password}@127.0.0.1:${this.port}/INBOX`;
  }

  private async withClient<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = new ImapFlow({ host: '127.0.0.1', port: this.port, secure: false, auth: { user: this.user, pass: this.password }, logger: false, disableAutoIdle: true });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Puts a message in the mailbox, unread, as the mail system delivering a bounce would. */
  async deliver(raw: string | Buffer): Promise<void> {
    await this.withClient(async (client) => {
      await client.append('INBOX', raw, []);
    });
  }

  async messages(): Promise<StoredMessage[]> {
    return this.withClient(async (client) => {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const found: StoredMessage[] = [];
        if ((client.mailbox && client.mailbox.exists) === 0) return found;
        for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
          found.push({ uid: m.uid, seen: m.flags?.has('\\Seen') ?? false, subject: m.envelope?.subject ?? '' });
        }
        return found;
      } finally {
        lock.release();
      }
    });
  }

  /** Waits until every message in the mailbox has been read (by the server's bounce poller). */
  async allRead(count: number): Promise<StoredMessage[]> {
    return waitFor(async () => {
      const messages = await this.messages();
      return messages.length === count && messages.every((m) => m.seen) ? messages : undefined;
    }, { what: `all ${count} messages in the bounce mailbox read` });
  }

  /** Logins the server refused so far (Dovecot's log). */
  async refusedLogins(): Promise<number> {
    const log = await readFile(join(this.dir, 'dovecot.log'), 'utf8').catch(() => '');
    return (log.match(/auth failed/g) ?? []).length;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
