/**
 * A background loop of one instance: runs `tick`, waits the pause it answers (in ms; 0 goes
 * on at once), and again, until stopped. `wake()` cuts a pause short (new work arrived);
 * `stop()` ends the pause at once and waits for the tick under way. A tick handles its own
 * errors: one that throws ends the loop.
 */
export class PollLoop {
  private active = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;

  constructor(private readonly tick: () => Promise<number>) {}

  /** False once `stop()` was called: a long tick checks it between steps. */
  get running(): boolean {
    return this.active;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.active = false;
    this.wake();
    await this.loop;
  }

  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.active) {
      const pause = await this.tick();
      if (!this.active) break;
      if (pause <= 0) continue;
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, pause);
        this.wakeUp = () => {
          clearTimeout(timeout);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }
}
