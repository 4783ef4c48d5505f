// The client tools report (pg_dump, pg_dumpall, pg_restore, psql found on this machine) as
// the Backups and Restore screens show it, kept pure so it is tested without a browser.
import { CLIENT_TOOL_NAMES, type ClientTool, type ClientToolsReport } from '@contract/backup';

/** "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" → "15.18"; "15.4 (Debian …)" → "15.4". */
export function shortVersion(version: string): string {
  const afterProduct = /\(PostgreSQL\)\s*(\d+(?:\.\d+)*)/.exec(version);
  if (afterProduct?.[1]) return afterProduct[1];
  const first = /\d+(?:\.\d+)*/.exec(version);
  return first ? first[0] : version;
}

export interface ToolGroup {
  major: number;
  tools: ClientTool[];
}

/** Newest major first; within a major, pg_dump, pg_dumpall, pg_restore, psql. */
export function groupToolsByMajor(report: Pick<ClientToolsReport, 'tools'>): ToolGroup[] {
  const byMajor = new Map<number, ClientTool[]>();
  for (const tool of report.tools) byMajor.set(tool.major, [...(byMajor.get(tool.major) ?? []), tool]);
  const order = (t: ClientTool) => CLIENT_TOOL_NAMES.indexOf(t.name);
  return [...byMajor.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([major, tools]) => ({ major, tools: [...tools].sort((a, b) => order(a) - order(b) || a.path.localeCompare(b.path)) }));
}

/** The extra folders as they will be saved: trimmed, blanks and repeats dropped. */
export function cleanFolderList(folders: string[]): string[] {
  const out: string[] = [];
  for (const folder of folders) {
    const clean = folder.trim();
    if (clean && !out.includes(clean)) out.push(clean);
  }
  return out;
}
