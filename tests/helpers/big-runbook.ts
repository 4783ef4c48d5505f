// A generated runbook of a given size for the importer's scale test and bench: sections in
// every style the importer reads (ATX and setext headings, numbered items with sql/bash
// fences, placeholders of each syntax, psql transcripts, unlabelled SQL, tables, checklists,
// prose-only sections), numbered so each section's title is unique. Returns the Markdown
// and the section titles in order. Every statement differs (the section number is in it), so
// nothing is faster for having been seen before.

export interface BigRunbook {
  markdown: string;
  /** Every section heading in document order (all of them have content). */
  titles: string[];
  sqlSteps: number;
}

const KINDS = 6;

function section(n: number): { text: string; title: string; sql: number } {
  const kind = n % KINDS;
  if (kind === 0) {
    const title = `Incident ${n}: replication lag`;
    return {
      title,
      sql: 2,
      text: `## ${title}\n\n**Immediate Actions**\n\n1. **Measure the lag**\n   \`\`\`sql\n   SELECT client_addr, replay_lag FROM pg_stat_replication WHERE replay_lag > interval '${n} seconds';\n   \`\`\`\n\n2. **Cancel the blocker**\n   \`\`\`sql\n   SELECT pg_cancel_backend(<pid>) WHERE <pid> <> 0 AND ${n} < 5;\n   \`\`\`\n\n3. **Tell the team**\n   - Post in the incident channel\n   - Note the time\n\n`,
    };
  }
  if (kind === 1) {
    const title = `Slot cleanup ${n}`;
    return {
      title,
      sql: 1,
      text: `${title}\n${'-'.repeat(title.length)}\n\nDrop a slot nobody reads; it keeps WAL until the disk fills.\n\n~~~~sql\nSELECT pg_drop_replication_slot('<slot_name>') FROM pg_replication_slots WHERE NOT active AND slot_name <> '{{keep}}' AND restart_lsn IS NOT NULL LIMIT ${n};\n~~~~\n\n| Slot | Owner |\n|------|-------|\n| logical_${n} | data team |\n\n`,
    };
  }
  if (kind === 2) {
    const title = `Per-database check ${n}`;
    return {
      title,
      sql: 2,
      text: `### ${title}\n\n\`\`\`psql\n\\c {{database}}\nSELECT datname FROM pg_stat_database WHERE datname = :'dbname' AND numbackends > :min_backends + ${n};\n\`\`\`\n\n\`\`\`\nVACUUM (VERBOSE) <table_name>; -- pass ${n}\n\`\`\`\n\n\`\`\`bash\npg_dump --table=<table_name> "{{database}}" > dump_${n}.sql\n\`\`\`\n\n`,
    };
  }
  if (kind === 3) {
    const title = `Transcript ${n}`;
    return {
      title,
      sql: 1,
      text: `## ${title}\n\n\`\`\`sql\nshop=# begin; -- ${n}\nBEGIN\nshop=*# select pid from pg_stat_activity where state = 'idle in transaction';\n  pid\n-------\n ${40000 + n}\n(1 row)\n\nshop=*# rollback;\nROLLBACK\n\`\`\`\n\n`,
    };
  }
  if (kind === 4) {
    const title = `Deadlocks ${n}`;
    return {
      title,
      sql: 0,
      text: `## ${title}\n\nPostgreSQL detects a deadlock after deadlock_timeout and cancels one of the transactions.\nRepeated deadlocks mean two code paths lock rows in different orders; section ${n} lists none.\n\n> Read the server log for the pids.\n\n`,
    };
  }
  const title = `Weekly ${n}`;
  return { title, sql: 0, text: `### ${title}\n\n- [ ] Vacuum the orders table\n- [x] Test a restore\n- [ ] Review slot ${n}\n\n` };
}

export function bigRunbook(bytes: number): BigRunbook {
  const parts: string[] = ['# Generated Runbook\n\n'];
  const titles: string[] = [];
  let size = parts[0]!.length;
  let sqlSteps = 0;
  for (let n = 0; size < bytes; n++) {
    const s = section(n);
    parts.push(s.text);
    titles.push(s.title);
    size += s.text.length;
    sqlSteps += s.sql;
  }
  return { markdown: parts.join(''), titles, sqlSteps };
}
