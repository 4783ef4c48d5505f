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

export class FlushQueue {
  private readonly waiting: string[] = [];
  private running = 0;
  private failure: unknown = null;
  private idle: Array<() => void> = [];

  /** Queues `file` for fsync; it must stay in place until drain() returns. */
  add(file: string): void {
    this.waiting.push(file);
    this.pump();
  }

  /** Resolves once every queued file is on disk; rejects with the first failure. */
  async drain(): Promise<void> {
    while (this.running > 0 || this.waiting.length > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    if (this.failure !== null) throw this.failure;
  }

  private pump(): void {
    while (this.running < IN_FLIGHT && this.waiting.length > 0) {
      const file = this.waiting.shift()!;
      this.running++;
      void syncFile(file)
        .catch((err: unknown) => {
          this.failure ??= err;
          this.waiting.length = 0;
        })
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.waiting.length === 0) for (const wake of this.idle.splice(0)) wake();
        });
    }
  }
}

async function syncFile(file: string): Promise<void> {
  // 'r+': Windows flushes only a handle open for writing.
  const handle = await fs.promises.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
