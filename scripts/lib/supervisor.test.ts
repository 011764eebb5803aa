import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { createCrashPolicy, createSupervisor, EX_CONFIG } from './supervisor.mjs';

describe('the crash policy', () => {
  it('doubles the pause with each recent crash and gives up at the fifth within a minute', () => {
    const policy = createCrashPolicy();
    const answers = [0, 1_000, 2_000, 3_000, 4_000].map((t) => policy.crashed(t));
    expect(answers.slice(0, 4).map((a: { pauseMs: number }) => a.pauseMs)).toEqual([250, 500, 1_000, 2_000]);
    expect(answers[4]).toEqual({ restart: false, reason: 'crashed 5 times in 60 s' });
  });

  it('forgets crashes older than the window', () => {
    const policy = createCrashPolicy();
    for (const t of [0, 10_000, 20_000, 30_000]) expect(policy.crashed(t).restart).toBe(true);
    // The crash at 0 has left the window: four in the last minute, not five.
    expect(policy.crashed(60_000)).toEqual({ restart: true, pauseMs: 2_000, recent: 4 });
    expect(createCrashPolicy().crashed(0)).toEqual({ restart: true, pauseMs: 250, recent: 1 });
  });

  it('caps the pause', () => {
    const policy = createCrashPolicy({ limit: 100, firstPauseMs: 1_000, maxPauseMs: 3_000 });
    expect([0, 1, 2, 3, 4].map((t) => policy.crashed(t).pauseMs)).toEqual([1_000, 2_000, 3_000, 3_000, 3_000]);
  });
});

/** A stand-in child: records the signals it gets and exits when told to. */
class FakeChild extends EventEmitter {
  static next = 100;
  pid = FakeChild.next++;
  signals: string[] = [];
  kill(signal: string) {
    this.signals.push(signal);
    setImmediate(() => this.exit(null, signal));
  }
  exit(code: number | null, signal: string | null = null) {
    this.emit('exit', code, signal);
  }
}

function harness(limit = 5) {
  const started: Array<{ name: string; child: FakeChild }> = [];
  const events: string[] = [];
  const supervisor = createSupervisor({
    launch: (spec: { name: string }) => {
      const child = new FakeChild();
      child.on('exit', () => events.push(`${spec.name} exited`));
      started.push({ name: spec.name, child });
      return child;
    },
    log: (line: string) => events.push(line),
    policy: () => createCrashPolicy({ limit, firstPauseMs: 1 }),
  });
  const live = (name: string) => started.filter((s) => s.name === name).at(-1)!.child;
  return { supervisor, started, events, live };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('the supervisor', () => {
  it('restarts a crashed process and leaves the others alone', async () => {
    const h = harness();
    for (const name of ['redis', 'api', 'worker-1', 'worker-2']) h.supervisor.add({ name, last: name === 'redis' });
    h.live('worker-1').exit(null, 'SIGKILL');
    await tick();
    expect(h.started.map((s) => s.name)).toEqual(['redis', 'api', 'worker-1', 'worker-2', 'worker-1']);
    expect(h.events).toContain('worker-1 exited (SIGKILL); restarting it in 1 ms (crash 1 in the last minute)');
    h.live('api').exit(1);
    await tick();
    expect(h.started.map((s) => s.name).filter((n) => n === 'api')).toHaveLength(2);
    expect(h.events).toContain('api exited (code 1); restarting it in 1 ms (crash 1 in the last minute)');
    await h.supervisor.stop(0);
  });

  it('stops everything when one process crashes too often', async () => {
    const h = harness(3);
    for (const name of ['api', 'worker-1']) h.supervisor.add({ name });
    for (let i = 0; i < 3; i++) {
      h.live('worker-1').exit(1);
      await tick();
    }
    expect(await h.supervisor.done).toBe(1);
    expect(h.events).toContain('worker-1 exited (code 1) and crashed 3 times in 60 s: stopping everything; its log above says why');
    expect(h.live('api').signals).toEqual(['SIGTERM']);
    expect(h.started.filter((s) => s.name === 'worker-1')).toHaveLength(3);
  });

  it('stops everything at once on a configuration error, without a restart', async () => {
    const h = harness();
    for (const name of ['api', 'worker-1']) h.supervisor.add({ name });
    h.live('api').exit(EX_CONFIG);
    expect(await h.supervisor.done).toBe(EX_CONFIG);
    expect(h.started.map((s) => s.name)).toEqual(['api', 'worker-1']);
    expect(h.events).toContain('api exited (code 78, a configuration error): stopping everything');
  });

  it('stops the apps first and the processes marked last after them, restarting nothing', async () => {
    const h = harness();
    for (const name of ['redis', 'api', 'worker-1']) h.supervisor.add({ name, last: name === 'redis' });
    const stopped = h.supervisor.stop(0);
    expect(await stopped).toBe(0);
    const exits = h.events.filter((e) => e.endsWith(' exited'));
    expect(exits.indexOf('redis exited')).toBe(2);
    expect(h.events.filter((e) => e.includes(' stopped ')).at(-1)).toBe('redis stopped (SIGTERM)');
    expect(h.started).toHaveLength(3);
  });

  it('does not restart a process whose restart was pending when the stop came', async () => {
    const h = harness();
    h.supervisor.add({ name: 'worker-1' });
    h.live('worker-1').exit(null, 'SIGKILL');
    await h.supervisor.stop(0);
    await tick();
    expect(h.started).toHaveLength(1);
  });

  it('treats a process that cannot be started as a crash, and gives up on it like on any other', async () => {
    const events: string[] = [];
    const supervisor = createSupervisor({
      // A command that is not there: spawn reports it with an 'error' event and no pid.
      launch: () => spawn('/nonexistent/knocker-command', [], { stdio: 'ignore' }),
      log: (line: string) => events.push(line),
      policy: () => createCrashPolicy({ limit: 3, firstPauseMs: 1 }),
    });
    supervisor.add({ name: 'redis' });
    expect(await supervisor.done).toBe(1);
    expect(events.filter((e) => / started \(pid/.test(e))).toEqual([]);
    expect(events[0]).toBe('redis could not be started (spawn /nonexistent/knocker-command ENOENT); restarting it in 1 ms (crash 1 in the last minute)');
    expect(events.at(-1)).toBe('redis could not be started (spawn /nonexistent/knocker-command ENOENT) and crashed 3 times in 60 s: stopping everything; its log above says why');
  });

  it('stops at once while a process that cannot be started is still being reported', async () => {
    const supervisor = createSupervisor({ launch: () => spawn('/nonexistent/knocker-command', [], { stdio: 'ignore' }), log: () => undefined });
    supervisor.add({ name: 'worker-1' });
    expect(await supervisor.stop(0)).toBe(0);
  });
});
