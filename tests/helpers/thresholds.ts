// Overview thresholds no test server reaches, so a test decides the one status that
// matters by lowering a single threshold after setting these.
export const LENIENT_THRESHOLDS = [
  { key: 'dbSize', warn: 1e15, critical: 1e15 },
  { key: 'connections', warn: 100_000, critical: 100_000 },
  { key: 'cacheHit', warn: 0, critical: 0 },
  { key: 'queryTime', warn: 1e9, critical: 1e9 },
  { key: 'oldestTransaction', warn: 1e9, critical: 1e9 },
  { key: 'replicationLag', warn: 1e15, critical: 1e15 },
  { key: 'wraparound', warn: 2e9, critical: 2e9 },
  { key: 'failedQueries', warn: 1e9, critical: 1e9 },
];
