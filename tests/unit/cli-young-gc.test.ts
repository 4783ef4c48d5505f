// The CLI's exports ask for a minor collection every few megabytes of output (young-gc.ts), so
// the socket buffers they leave behind are freed as they go (issue #21: flat peak RSS).
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { youngCollectionEvery } from '../../src-main/cli/young-gc';

/** Minor collections seen while `run` runs (entries arrive asynchronously, hence the wait). */
async function minorCollectionsDuring(run: () => void): Promise<number> {
  let minor = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    run();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    observer.disconnect();
  }
  return minor;
}

describe('youngCollectionEvery', () => {
  it('runs a minor collection each time the counted bytes pass the step', async () => {
    const counted = youngCollectionEvery(1000);
    counted(999);
    expect(await minorCollectionsDuring(() => counted(1))).toBeGreaterThanOrEqual(1);
    // The count starts again after a collection: 3 steps' worth in small writes is 3 collections.
    expect(await minorCollectionsDuring(() => Array.from({ length: 30 }, () => counted(100)))).toBeGreaterThanOrEqual(3);
  });
});
