// The serverlog part of the one API contract: the server log (issue #19): where the server writes its log, whether this role may read it, and the log's lines filtered by level and text. Spread into `operations`.
export const serverlogOperations = {} as const;
