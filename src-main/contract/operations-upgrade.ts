// The upgrade part of the one API contract: upgrade planning: the server's version against PostgreSQL's versioning policy, extensions and features that change across the next major (issue #23). Spread into `operations`.
export const upgradeOperations = {} as const;
