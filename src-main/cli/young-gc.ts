// A minor collection on demand, for the CLI's long exports (issue #21: peak RSS flat from
// 200k to 2M rows). What an export leaves behind is mostly socket read buffers (64 KB each,
// memory outside V8's heap) that die as soon as they are written. V8 frees them at its next
// collection, but an export allocates almost nothing on the heap itself, so the collection
// comes only once ~64 MB of such buffers have piled up, and that pile was the RSS growing with
// the size of the export. A scavenge every few megabytes (a fraction of a millisecond: the young
// generation holds little that lives) keeps the pile small and the peak flat.
import vm from 'node:vm';
import { setV8Flags } from './code-cache';

type Collect = (options: { type: 'minor' | 'major' }) => void;

let collect: Collect | null | undefined;

/**
 * The collector, or null where it cannot be had. `--expose-gc` set at run time makes `gc` appear
 * in contexts created afterwards; the program's own global never gets it.
 */
function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    setV8Flags('--expose-gc');
    const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : null');
    collect = typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Calls for a minor collection after every `every` bytes counted by the returned function. */
export function youngCollectionEvery(every: number): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < every) return;
    since = 0;
    collector()?.({ type: 'minor' });
  };
}
