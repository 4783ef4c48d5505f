// The job engine (core/platform/jobs) with real processes: a cancel stops a child's whole
// process tree (a shell and the sleep it left in the background), a tree that ignores
// SIGTERM is killed after the grace, disposeAll waits for every job's run to settle, a job
// is found by either of its ids, and the owner helper tells a live pid from a dead one.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { JobRegistry, type Job } from '../../src-main/core/platform/jobs/registry';
import { currentOwner, ownerState, ownerTag, parseOwnerTag } from '../../src-main/core/platform/jobs/owner';
import { stopTree } from '../../src-main/core/platform/jobs/process-tree';
import { EventGate } from '../../src-main/core/platform/jobs/event-gate';
import { processAlive } from '../../src-main/core/platform/tools/proc';

const started: ChildProcess[] = [];
const extraPids: number[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  for (const pid of extraPids.splice(0)) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

/** A shell in its own process group that leaves a `sleep` in the background (its pid on stdout) and becomes another. */
async function tree(script = 'sleep 60 & echo $!; exec sleep 60'): Promise<{ child: ChildProcess; background: number }> {
  const child = spawn('sh', ['-c', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(child);
  const background = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('error', reject);
  });
  extraPids.push(background);
  return { child, background };
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

async function gone(pid: number, withinMs = 5_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!processAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** A run that adopts `child` and settles when it exits, with what the job saw. */
function runChild(child: ChildProcess): (job: Job) => Promise<{ reason: string | null; aborted: boolean; signal: NodeJS.Signals | null }> {
  return async (job) => {
    job.adopt(child);
    const signal = await exited(child);
    return { reason: job.cancelReason, aborted: job.signal.aborted, signal };
  };
}

describe('JobRegistry', () => {
  it('cancel aborts the signal and stops the adopted process tree, grandchildren included', async () => {
    const jobs = new JobRegistry<Awaited<ReturnType<ReturnType<typeof runChild>>>>();
    const { child, background } = await tree();
    const { done } = jobs.start({ id: 'rec-1', jobId: 'job-1' }, runChild(child));
    expect(processAlive(background)).toBe(true);
    expect(jobs.pidOf('rec-1')).toBe(child.pid);

    expect(jobs.cancel('job-1', 'cancelled by the test')).toBe(true);
    const outcome = await done;
    expect(outcome).toEqual({ reason: 'cancelled by the test', aborted: true, signal: 'SIGTERM' });
    expect(await gone(background)).toBe(true);
    // Unregistered once the run settled.
    expect(jobs.isRunning('rec-1')).toBe(false);
    expect(jobs.cancel('rec-1', 'again')).toBe(false);
  });

  it('a tree that ignores SIGTERM is killed after the grace', async () => {
    const { child, background } = await tree(`trap '' TERM; sleep 60 & echo $!; exec sleep 60`);
    const t0 = Date.now();
    stopTree(child, 300);
    expect(await exited(child)).toBe('SIGKILL');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await gone(background)).toBe(true);
  });

  it('finds a job by its id or its job id, not once it is marked finished', async () => {
    const jobs = new JobRegistry<string, { note: string }>();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { job, done } = jobs.start(
      { id: 'backup-7', jobId: 'ui-7' },
      async (j) => {
        await gate;
        return j.state.note;
      },
      { note: 'kept' },
    );
    expect(jobs.find('backup-7')).toBe(job);
    expect(jobs.find('ui-7')).toBe(job);
    expect(jobs.find('other')).toBeNull();
    expect(jobs.isRunning('ui-7')).toBe(true);
    job.finished = true;
    expect(jobs.isRunning('backup-7')).toBe(false);
    expect(jobs.cancel('ui-7', 'too late')).toBe(false);
    expect(job.cancelReason).toBeNull();
    release();
    expect(await done).toBe('kept');
  });

  it('keeps the first reason and runs cancel hooks, at once for a hook added after the cancel', async () => {
    const jobs = new JobRegistry<void>();
    const heard: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { job, done } = jobs.start({ id: 'r', jobId: 'j' }, async (j) => {
      j.onCancel((reason) => heard.push(`early: ${reason}`));
      await gate;
    });
    jobs.cancel('r', 'first');
    jobs.cancel('r', 'second');
    job.onCancel((reason) => heard.push(`late: ${reason}`));
    expect(job.cancelReason).toBe('first');
    expect(heard).toEqual(['early: first', 'early: first', 'late: first']);
    release();
    await done;
  });

  it('disposeAll cancels every job and resolves only once all of them settled, failed ones too', async () => {
    const jobs = new JobRegistry<string>();
    const first = await tree();
    const second = await tree();
    const order: string[] = [];
    jobs.start({ id: 'a', jobId: 'ja' }, async (job) => {
      job.adopt(first.child);
      await exited(first.child);
      // Cleanup after the process ended still counts: dispose waits for it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      order.push('a cleaned up');
      return 'a';
    });
    jobs.start({ id: 'b', jobId: 'jb' }, async (job) => {
      job.adopt(second.child);
      await exited(second.child);
      order.push('b failed');
      throw new Error('b broke');
    });
    // One that had already finished (its outcome out) but still cleans up.
    let releaseC!: () => void;
    const cGate = new Promise<void>((resolve) => (releaseC = resolve));
    jobs.start({ id: 'c', jobId: 'jc' }, async (job) => {
      job.finished = true;
      await cGate;
      order.push('c cleaned up');
      return 'c';
    });
    setTimeout(releaseC, 300);
    await jobs.disposeAll('the app closed');
    order.push('disposed');
    expect(order.slice(-1)).toEqual(['disposed']);
    expect(order).toHaveLength(4);
    expect(first.child.signalCode).toBe('SIGTERM');
    expect(second.child.signalCode).toBe('SIGTERM');
    expect(jobs.isRunning('a') || jobs.isRunning('b')).toBe(false);
  });
});

describe('job owners', () => {
  it('writes and reads the "running-owner <host> <pid>" tag the stores hold', () => {
    expect(ownerTag()).toBe(`running-owner ${os.hostname()} ${process.pid}`);
    expect(parseOwnerTag(`running-owner ${os.hostname()} 1234`)).toEqual({ host: os.hostname(), pid: 1234 });
    expect(parseOwnerTag('the app stopped while this backup ran')).toBeNull();
    expect(parseOwnerTag(null)).toBeNull();
  });

  it('tells this process, a live process, a dead one and another machine apart', async () => {
    expect(ownerState(currentOwner())).toBe('this-process');
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    started.push(other);
    const pid = other.pid!;
    expect(ownerState(parseOwnerTag(`running-owner ${os.hostname()} ${pid}`))).toBe('alive');
    expect(ownerState({ host: `not-${os.hostname()}`, pid })).toBe('gone');
    other.kill('SIGKILL');
    await exited(other);
    expect(ownerState({ host: os.hostname(), pid })).toBe('gone');
    expect(ownerState(parseOwnerTag(`running-owner ${os.hostname()} zero`))).toBe('gone');
    expect(ownerState(null)).toBe('gone');
  });
});

describe('EventGate', () => {
  it('lets one event through per gap, and forced ones always', async () => {
    const gate = new EventGate(100);
    expect(gate.pass()).toBe(true);
    expect(gate.pass()).toBe(false);
    expect(gate.pass(true)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(gate.pass()).toBe(true);
  });
});
