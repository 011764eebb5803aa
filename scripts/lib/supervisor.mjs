// The supervision rules of `pnpm start`, apart from processes, so they can be tested alone.

/** A configuration error: restarting cannot help, so everything stops at once. */
export const EX_CONFIG = 78;

/**
 * Decides what follows a crash of one process: a restart after a pause that doubles with each
 * recent crash, or, at `limit` crashes within `windowMs`, giving up (a process that keeps
 * crashing would otherwise hide its cause behind endless restarts).
 */
export function createCrashPolicy({ limit = 5, windowMs = 60_000, firstPauseMs = 250, maxPauseMs = 8_000 } = {}) {
  const crashes = [];
  return {
    crashed(now) {
      crashes.push(now);
      while (crashes.length > 0 && crashes[0] <= now - windowMs) crashes.shift();
      if (crashes.length >= limit) {
        return { restart: false, reason: `crashed ${crashes.length} times in ${windowMs / 1000} s` };
      }
      return { restart: true, pauseMs: Math.min(maxPauseMs, firstPauseMs * 2 ** (crashes.length - 1)), recent: crashes.length };
    },
  };
}

/** How an exit reads in the log: the signal that ended it, or its code. */
export function describeExit(code, signal) {
  return signal ?? (code === EX_CONFIG ? `code ${code}, a configuration error` : `code ${code}`);
}

/**
 * Keeps a set of processes running. `launch(spec)` starts one and returns a child process;
 * an unexpected exit restarts it under its own crash policy, exit 78 or a policy giving up
 * stops everything (`stop` resolves with the exit code for the supervisor). `stop` ends the
 * apps first (they finish in-flight work) and the processes marked `last` after them.
 */
export function createSupervisor({ launch, log, now = Date.now, policy = createCrashPolicy }) {
  const units = [];
  let stopping;
  let resolveDone;
  const done = new Promise((resolve) => { resolveDone = resolve; });

  function start(unit) {
    const child = launch(unit.spec);
    unit.child = child;
    unit.starts++;
    let over = false;
    // A process that exited, or one that could not be started at all (its command gone, no
    // memory for another process): both are crashes.
    const end = (how, code) => {
      if (over) return;
      over = true;
      unit.child = undefined;
      if (stopping) return;
      if (code === EX_CONFIG) {
        log(`${unit.spec.name} ${how}: stopping everything`);
        void stop(EX_CONFIG);
        return;
      }
      const next = unit.policy.crashed(now());
      if (!next.restart) {
        log(`${unit.spec.name} ${how} and ${next.reason}: stopping everything; its log above says why`);
        void stop(1);
        return;
      }
      log(`${unit.spec.name} ${how}; restarting it in ${next.pauseMs} ms (crash ${next.recent} in the last minute)`);
      unit.timer = setTimeout(() => { unit.timer = undefined; if (!stopping) start(unit); }, next.pauseMs);
    };
    child.once('exit', (code, signal) => end(`exited (${describeExit(code, signal)})`, code));
    // 'error' also reports a failed kill() of a live process; only a failed spawn leaves no pid.
    child.on('error', (err) => {
      if (child.pid === undefined) end(`could not be started (${err.message})`);
      else log(`${unit.spec.name}: ${err.message}`);
    });
    if (child.pid !== undefined) log(`${unit.spec.name} started (pid ${child.pid})`);
  }

  function ended(unit) {
    const { child } = unit;
    if (!child || child.pid === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        log(`${unit.spec.name} stopped (${describeExit(code, signal)})`);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  async function stop(code = 0) {
    if (stopping) return stopping;
    stopping = (async () => {
      for (const unit of units) clearTimeout(unit.timer);
      await Promise.all(units.filter((u) => !u.spec.last).map(ended));
      await Promise.all(units.filter((u) => u.spec.last).map(ended));
      resolveDone(code);
      return code;
    })();
    return stopping;
  }

  return {
    /** Starts a process under supervision; spec: { name, last?, ...whatever launch needs }. */
    add(spec) {
      const unit = { spec, policy: policy(), starts: 0, child: undefined, timer: undefined };
      units.push(unit);
      start(unit);
    },
    stop,
    /** Ends every app at once (a second Ctrl-C); the processes marked `last` still stop after them. */
    force() {
      for (const unit of units) if (!unit.spec.last) unit.child?.kill('SIGKILL');
    },
    /** Resolves with the supervisor's exit code once everything has stopped. */
    done,
  };
}
