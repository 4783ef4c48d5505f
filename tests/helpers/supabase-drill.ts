// Starts a drill through dispatch and waits for its end (job.done), then reads its record.
import crypto from 'node:crypto';
import type { AppEvent } from '../../src-main/contract/operations';
import type { DrillRecord } from '../../src-main/contract/restore';
import type { Core } from '../../src-main/core/app';
import type { CoreCalls } from './core';

export type DrillWithNotes = DrillRecord & { notes: string[] };

export async function runDrill(
  core: Core,
  calls: CoreCalls,
  input: Record<string, unknown>,
): Promise<{ record: DrillWithNotes; done: { ok: boolean; message: string } }> {
  const jobId = crypto.randomUUID();
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<{ ok: boolean; message: string }>((resolve) => {
    unsubscribe = core.events.subscribe((e: AppEvent) => {
      if (e.type === 'job.done' && e.jobId === jobId) resolve({ ok: e.ok, message: e.message });
    });
  });
  const started = await calls.ok<{ drillId: string }>('startDrill', { ...input, jobId });
  const end = await done.finally(unsubscribe);
  return { record: await calls.ok<DrillWithNotes>('getDrill', { id: started.drillId }), done: end };
}
