// One child process of the launcher: a built (or source) service, or a helper script. Its
// output is kept (a tail) for error messages, and optionally copied to a log file and
// handed over line by line; it stops with SIGTERM, then SIGKILL after a grace period.
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

/** USER_HZ of /proc/<pid>/stat: 100 on Linux. */
const CLOCK_TICKS = 100;
/** How much output is kept in memory for error messages. */
const OUTPUT_KEPT = 100_000;

export interface SpawnOptions {
  /** For messages: `router`, `router#1`. */
  label: string;
  /** Node's arguments: flags, then the entry point. */
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where it serves /healthz; none for a script that says `ready` on its own. */
  port?: number;
  /** Its output is appended to this file too. */
  logFile?: string;
  /** Each whole line of its output, as it comes. */
  onLine?: (line: string) => void;
}

export class ServiceProcess {
  readonly url: string;
  /** Resolves with how it ended (an exit code or a signal), once its output is all read and written. */
  readonly ended: Promise<string>;
  /** Stopped or killed on purpose: its exit is no finding. */
  private expected = false;
  private log = '';

  private constructor(
    readonly label: string,
    readonly port: number | undefined,
    readonly logFile: string | undefined,
    private readonly child: ChildProcess,
    onLine?: (line: string) => void,
  ) {
    this.url = port === undefined ? '' : `http://127.0.0.1:${port}`;
    const file = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    // 'close' comes after the last output, so the log file is complete once it resolves.
    this.ended = new Promise((done) =>
      child.once('close', (code, signal) => {
        const how = String(signal ?? code);
        if (file) file.end(() => done(how));
        else done(how);
      }),
    );
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        this.log = (this.log + text).slice(-OUTPUT_KEPT);
        file?.write(chunk);
        if (!onLine) return;
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
    }
  }

  static spawn(options: SpawnOptions): ServiceProcess {
    const child = spawn(process.execPath, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ServiceProcess(options.label, options.port, options.logFile, child, options.onLine);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The tail of what it printed. */
  get output(): string {
    return this.log;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Whether it was stopped or killed on purpose. */
  get exitExpected(): boolean {
    return this.expected;
  }

  /** Polls /healthz until it answers 200; fails naming the process and showing its output if it exits or the time runs out. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    if (!this.url) throw new Error(`${this.label} serves no /healthz`);
    const deadline = Date.now() + timeoutMs;
    while (
      !(await fetch(`${this.url}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      ))
    ) {
      const why = this.exited
        ? `exited (${await this.ended}) while starting`
        : Date.now() > deadline
          ? `did not answer /healthz within ${timeoutMs / 1000} s`
          : null;
      if (why) throw new Error(`${this.label} ${why}${this.logFile ? ` (log: ${this.logFile})` : ''}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Peak resident set size so far (VmHWM), in MiB. */
  peakRssMib(): number {
    return this.statusMib('VmHWM');
  }

  /** Resident set size now (VmRSS), in MiB: what a soak samples to see memory grow or not. */
  rssMib(): number {
    return this.statusMib('VmRSS');
  }

  private statusMib(field: 'VmHWM' | 'VmRSS'): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return kib / 1024;
  }

  /** CPU time used so far (user + system), in seconds, from /proc/<pid>/stat. */
  cpuSeconds(): number {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ').pop()?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  }

  /** SIGTERM, and SIGKILL if it is still there after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 15_000): Promise<void> {
    this.expected = true;
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.ended;
    clearTimeout(killer);
  }

  /** kill -9; resolves once it is gone. */
  async kill9(): Promise<void> {
    this.expected = true;
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.ended;
  }
}
