// The app's own table of PostgreSQL releases (issue #23, upgrade planning). The checks judge a
// server against it offline: no network call at check time, so the table carries the date its
// facts were last confirmed and the check says when it has grown old. Sources, confirmed
// 2026-12-06: postgresql.org/support/versioning (5 years of support, one last minor, then EOL),
// the release announcements on postgresql.org (latest: 2026-08-13, "PostgreSQL 18.6, 17.11,
// 16.15, 15.19, 14.24 and 19 Beta 3 Released!"), each major's release notes for its first
// release date. EOL dates are the versioning page's "final release" dates. To update: bump
// AS_OF, the latest minors, and add the new major (with its EOL five years on).

export type ReleaseStage = 'released' | 'beta';

export interface MajorRelease {
  major: number;
  /** Day the x.0 release came out (ISO date); null while the major is still in beta. */
  firstRelease: string | null;
  /** The versioning policy's final-release date (ISO); null while unknown (a beta). */
  endOfLife: string | null;
  /** The newest minor known on AS_OF (18 → 6 for 18.6); null for a beta. */
  latestMinor: number | null;
  stage: ReleaseStage;
  /** For a beta: what the table knows ("19 Beta 3 on 2026-08-13"). */
  note?: string;
}

/** The day the table's facts were last confirmed (the newest release announcement it includes). */
export const RELEASES_AS_OF = '2026-08-13';

/** After this many days the check says the table may be stale (about six months). */
export const STALE_AFTER_DAYS = 183;

export const RELEASES: readonly MajorRelease[] = [
  {
    major: 19,
    firstRelease: null,
    endOfLife: null,
    latestMinor: null,
    stage: 'beta',
    note: '19 Beta 3 released 2026-08-13; general availability not yet in this table',
  },
  { major: 18, firstRelease: '2025-09-25', endOfLife: '2030-11-14', latestMinor: 6, stage: 'released' },
  { major: 17, firstRelease: '2024-09-26', endOfLife: '2029-11-08', latestMinor: 11, stage: 'released' },
  { major: 16, firstRelease: '2023-09-14', endOfLife: '2028-11-09', latestMinor: 15, stage: 'released' },
  { major: 15, firstRelease: '2022-10-13', endOfLife: '2027-11-11', latestMinor: 19, stage: 'released' },
  { major: 14, firstRelease: '2021-09-30', endOfLife: '2026-11-12', latestMinor: 24, stage: 'released' },
  // 13.23 (2025-11-13) was its last release.
  { major: 13, firstRelease: '2020-09-24', endOfLife: '2025-11-13', latestMinor: 23, stage: 'released' },
];

export function releaseOf(major: number): MajorRelease | undefined {
  return RELEASES.find((r) => r.major === major);
}

/** The newest major that has had its x.0 release (the target of an upgrade plan). */
export function latestReleasedMajor(): number {
  return Math.max(...RELEASES.filter((r) => r.stage === 'released').map((r) => r.major));
}
