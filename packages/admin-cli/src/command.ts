import type { Api } from './api/client.js';
import type { Connection, ConnectionFlags } from './config/connection.js';
import type { ExitCode } from './errors.js';
import type { View } from './output/view.js';
import type { Io } from './runtime.js';

/**
 * What a command gets to do its work. Commands return data; they never write to the
 * terminal themselves, except through {@link CommandContext.show} for the one case where
 * something must be seen before the command can go on (a plan before "Apply?").
 */
export interface CommandContext {
  readonly io: Io;
  /** The connection flags as given (`--url`, `--token`, `--profile`), for `login`. */
  readonly flags: ConnectionFlags;
  /** Where profiles are saved. */
  readonly configPath: string;
  /** True when a person can answer a question: stdin is a terminal. */
  readonly interactive: boolean;
  now(): Date;
  /** The resolved server and token (flags, then environment, then saved profile). */
  connection(): Promise<Connection>;
  /** The GraphQL client for {@link connection}. */
  api(): Promise<Api>;
  /** A GraphQL client for another connection (`login` checks a token before saving it). */
  connect(connection: Connection): Api;
  /** Shows a view now, through the printer (nothing is shown in JSON/YAML mode). */
  show(view: View): void;
  /** A status line for people on stderr (`Watching…`), kept out of stdout's data. */
  notice(message: string): void;
  /** Asks a yes/no question on stderr; false unless the answer is yes. */
  confirm(question: string): Promise<boolean>;
}

/**
 * How a command's data is shown. `--json` and `-o yaml` print the data itself (or what
 * {@link Presenter.data} makes of it); people get {@link Presenter.view}.
 */
export interface Presenter<T> {
  view(data: T, now: Date): View;
  /** What `--json` and `-o yaml` print, when not the data as returned. */
  data?(data: T): unknown;
  /** What `-o yaml` prints, when not the YAML of the data (the governance document as written). */
  yaml?(data: T): string;
  /** The exit status the data implies: a broken audit chain, lint errors, a declined apply. */
  exitCode?(data: T): ExitCode;
}

/** How each item of a stream (`watch`, `audit export`) is shown. */
export interface StreamPresenter<T> {
  line(item: T, now: Date): View;
  /** The item for --json / -o yaml; undefined leaves it out (a header meant for people). */
  data?(item: T): unknown;
}
