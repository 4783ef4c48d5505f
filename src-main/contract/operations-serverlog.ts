// The serverlog part of the one API contract: the server log (issue #19): where the server
// writes its log, whether this role may read it, and the log's lines filtered by level and
// text. Spread into `operations`. Not audited, like the Performance screen's polled reads: it
// reads in a READ ONLY transaction and changes nothing, and a followed log polls every
// few seconds, which would bury the audit trail.
import { CONNECT_ERRORS, op } from './op';
import { serverLogInput, type ServerLog } from './serverlog';

export const serverlogOperations = {
  /** The log's newest entries (or an older page, or what follows an offset), or why it cannot be read and the fix. */
  getServerLog: op<ServerLog>()({ input: serverLogInput, errors: [...CONNECT_ERRORS, 'QUERY_FAILED'], audit: null }),
} as const;
