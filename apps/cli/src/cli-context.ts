// What every command gets: where to write, how to read a file, what time it is, and
// how to set the exit code. main.ts binds them to the process; tests bind them to arrays.

/** Exit codes, the same for every command (like git diff: 3 only with --exit-code). */
export const ExitCode = {
  ok: 0,
  /** The input was read but is not valid: a manifest or a decision. */
  invalid: 1,
  /** Bad usage or an input that cannot be read. */
  usage: 2,
  /** `--exit-code`: the inputs differ. */
  different: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface CliDeps {
  io: Io;
  readText(path: string): string;
  now(): Date;
  /** The environment (main.ts passes process.env): where `--token-env` finds a token. */
  env?: Readonly<Record<string, string | undefined>>;
  /** HTTP, for commands that ask a running service (tests pass a stub). */
  fetch?: typeof fetch;
}

export interface CliContext extends CliDeps {
  setExitCode(code: ExitCode): void;
}

/** Ends a command with a message on stderr and an exit code. */
export class CliFailure extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
};

/** Reads an input file, or fails with exit code 2 saying which input could not be read and why. */
export function readInputFile(ctx: CliDeps, path: string, what: string): string {
  try {
    return ctx.readText(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = (code && READ_ERRORS[code]) ?? (error as Error).message;
    throw new CliFailure(ExitCode.usage, `cannot read ${what} ${path}: ${why}`);
  }
}

export function writeLines(write: (text: string) => void, lines: readonly string[]): void {
  write(lines.map((line) => `${line}\n`).join(''));
}
