// fsync of many files written one after another (a storage snapshot's downloads), off their
// writers' path: each writer hands its finished file over and goes on receiving, while a
// couple of fsyncs at a time push the bytes to the disk behind them. An fsync per download,
// awaited by that download, cost a full snapshot about a third of its time (the storage
// bench); none until the end left the whole gigabyte to be written back at the end, since
// the kernel writes dirty pages back only after ~30 s or a share of RAM.
import fs from 'node:fs';

/**
 * Flushes in flight at once, each holding one of libuv's four thread-pool threads (which the
 * writers need too). Two fell behind a gigabyte of downloads: the snapshot then waited
 * 100–570 ms for the backlog after its last download (the storage bench, load 3–5); four
 * keep up (1–11 ms), and the downloads were not slower (A/B in one run: 0.93–0.98 of the
 * full snapshot's time with two). The disk takes several flushes at once faster than one by one.
 * Three, not four: four would hold every libuv thread while fsyncs are slow, and the writers,
 * dns.lookup and every other file call of the process (the desktop app's main process) would
 * wait behind them; three measured the same as four (0.97).
 */
const IN_FLIGHT = 3;

/**
 * Files may be handed over still open (their writer's handle): flushed through it, so a
 * snapshot does not open each of its files a second time (2,000 opens and closes fewer per
 * 2,000 objects; the storage bench's full snapshot: ~18 % less system CPU, paired A/B). Past
 * this many handles waiting, a handle is closed at once and its file opened again when its
 * turn comes: a slow disk's backlog must not hold the process's descriptors.
 */
const MAX_HELD = 64;

export class FlushQueue {
  private readonly waiting: Array<{ file: string; handle: fs.promises.FileHandle | null }> = [];
  private held = 0;
  private running = 0;
  private failure: unknown = null;
  private idle: Array<() => void> = [];
  /** Closes of handles dropped unflushed (past the cap, after a failure, abandoned): awaited before drain or abandon returns. */
  private closing: Array<Promise<void>> = [];

  /**
   * Queues `file` for fsync; it must stay in place until drain() returns. `handle`, when
   * given, is open on that file (opened for writing: Windows flushes only such a handle) and
   * becomes the queue's to close. After a failure nothing more is flushed: drain() rejects anyway.
   */
  add(file: string, handle?: fs.promises.FileHandle): void {
    let kept: fs.promises.FileHandle | null = handle ?? null;
    if (kept !== null && (this.held >= MAX_HELD || this.failure !== null)) {
      this.closeQuietly(kept);
      kept = null;
    }
    if (this.failure !== null) return;
    if (kept !== null) this.held++;
    this.waiting.push({ file, handle: kept });
    this.pump();
  }

  /** Resolves once every queued file is on disk; rejects with the first failure (once every handle is closed). */
  async drain(): Promise<void> {
    await this.settled();
    if (this.failure !== null) throw this.failure;
  }

  /**
   * The run failed: the handles still waiting are closed unflushed, and this resolves once they
   * and the flushes in flight are done, so the caller may remove the files (Windows and some
   * file systems refuse to delete a file that is still open).
   */
  async abandon(): Promise<void> {
    this.dropWaiting();
    await this.settled();
  }

  private async settled(): Promise<void> {
    while (this.running > 0 || this.waiting.length > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await Promise.all(this.closing.splice(0));
  }

  private pump(): void {
    while (this.running < IN_FLIGHT && this.waiting.length > 0) {
      const { file, handle } = this.waiting.shift()!;
      if (handle !== null) this.held--;
      this.running++;
      void (handle !== null ? syncAndClose(handle) : syncFile(file))
        .catch((err: unknown) => {
          this.failure ??= err;
          this.dropWaiting();
        })
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.waiting.length === 0) for (const wake of this.idle.splice(0)) wake();
        });
    }
  }

  private dropWaiting(): void {
    for (const { handle } of this.waiting.splice(0)) if (handle !== null) this.closeQuietly(handle);
    this.held = 0;
  }

  private closeQuietly(handle: fs.promises.FileHandle): void {
    this.closing.push(handle.close().catch(() => undefined));
  }
}

async function syncFile(file: string): Promise<void> {
  // 'r+': Windows flushes only a handle open for writing.
  await syncAndClose(await fs.promises.open(file, 'r+'));
}

async function syncAndClose(handle: fs.promises.FileHandle): Promise<void> {
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
