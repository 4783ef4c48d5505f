// The offsite part of the one API contract: offsite copies (issue #18): named S3-compatible destinations, verified (optionally encrypted) copies of backups and storage snapshots there, retention and fetching a copy back for restore. Spread into `operations`.
export const offsiteOperations = {} as const;
