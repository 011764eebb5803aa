export interface ShutdownStep {
  name: string;
  run(): Promise<void>;
}

export interface ShutdownOptions {
  /** Time to keep serving with failing health checks before the steps run. */
  drainMs: number;
  /** The whole shutdown must end by then, or the process exits with 1. */
  deadlineMs: number;
  steps: readonly ShutdownStep[];
  log: (message: string) => void;
  exit: (code: number) => void;
}

export interface Shutdown {
  /** True from the first signal on; health checks read it. */
  readonly stopping: boolean;
  /** Starts the shutdown once; later calls return the same promise. */
  begin(reason: string): Promise<void>;
  /**
   * Calls `begin` on each of these signals, and, in a process `pnpm start` runs (its
   * environment says so), when the supervisor is gone.
   */
  listen(signals?: readonly NodeJS.Signals[], env?: NodeJS.ProcessEnv): void;
}

/**
 * Set to 1 by `pnpm start` on the processes it runs: their stdin is a pipe from it, which
 * closes when it exits, however it does (a SIGKILL too).
 */
export const STOP_ON_STDIN_CLOSE = 'KNOCKER_STOP_ON_STDIN_CLOSE';

/**
 * Calls `gone` once `pipe` ends, errs or closes: the process at its other end has exited. Its
 * output goes to that process too, which no longer reads it: a write there fails with EPIPE,
 * which would end this one at once as an uncaught error. Those failures are dropped, so the
 * graceful shutdown runs to its end, unheard. `pipe` does not keep the process alive.
 */
export function watchSupervisor(pipe: NodeJS.ReadableStream & { unref?(): void }, outputs: readonly NodeJS.WritableStream[], gone: () => void): void {
  for (const output of outputs) output.on('error', () => undefined);
  let ended = false;
  const end = (): void => {
    if (!ended) gone();
    ended = true;
  };
  pipe.on('end', end).on('close', end).on('error', end);
  pipe.resume();
  pipe.unref?.();
}

/**
 * Drains, then runs every step in order even when one fails, then exits 0; a hung step
 * cannot keep the process alive past the deadline.
 */
export function createShutdown(opts: ShutdownOptions): Shutdown {
  let started: Promise<void> | undefined;
  const shutdown: Shutdown = {
    get stopping() {
      return started !== undefined;
    },
    begin(reason) {
      started ??= (async () => {
        opts.log(`${reason}: stopping${opts.drainMs > 0 ? ` after ${opts.drainMs} ms of draining` : ''}`);
        const deadline = setTimeout(() => {
          opts.log(`Shutdown did not finish within ${opts.deadlineMs} ms; exiting anyway`);
          opts.exit(1);
        }, opts.deadlineMs);
        deadline.unref();
        if (opts.drainMs > 0) await new Promise((r) => setTimeout(r, opts.drainMs));
        let failed = false;
        for (const step of opts.steps) {
          try {
            await step.run();
          } catch (err) {
            failed = true;
            opts.log(`Shutdown step "${step.name}" failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        clearTimeout(deadline);
        opts.exit(failed ? 1 : 0);
      })();
      return started;
    },
    listen(signals = ['SIGTERM', 'SIGINT'], env = process.env) {
      for (const signal of signals) process.on(signal, () => void shutdown.begin(`${signal} received`));
      if (env[STOP_ON_STDIN_CLOSE] === '1') watchSupervisor(process.stdin, [process.stdout, process.stderr], () => void shutdown.begin('pnpm start is gone (its pipe on stdin closed)'));
    },
  };
  return shutdown;
}
