// The selected object: what it is (kind, owner, size, rows, comment), its parts on tabs
// (columns, indexes, constraints, triggers, policies with RLS on/forced, grants) and its DDL,
// saying where the DDL came from (pg_dump itself, or the catalog for what pg_dump cannot dump
// alone). Actions: open a SELECT … LIMIT 100 in a console tab, copy the quoted name, copy
// the DDL. Details load on selection; the DDL when its tab is opened or it is copied.
import { Alert, Badge, Button, Code, Group, Loader, ScrollArea, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { selectSql, type ObjectDdl, type ObjectKind, type SchemaObjectDetails } from '@contract/schema';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { formatBytes, formatCount } from '../../shared/format/numbers';
import type { PasswordState } from '../../shared/hooks/usePassword';
import { useOpenInConsole } from '../../shared/state/console-intent';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { copyToClipboard } from '../../shared/clipboard';

export interface SelectedObject {
  oid: number;
  kind: ObjectKind;
  schema: string;
  name: string;
}

const KIND_LABELS: Record<ObjectKind, string> = {
  table: 'Table',
  'partitioned-table': 'Partitioned table',
  'foreign-table': 'Foreign table',
  view: 'View',
  'materialized-view': 'Materialized view',
  sequence: 'Sequence',
  function: 'Function',
  procedure: 'Procedure',
  aggregate: 'Aggregate',
  'window-function': 'Window function',
  enum: 'Enum type',
  composite: 'Composite type',
  domain: 'Domain',
  range: 'Range type',
};

const WRAP = { whiteSpace: 'pre-wrap', wordBreak: 'break-word' } as const;

function Empty({ children }: { children: ReactNode }) {
  return (
    <Text size="sm" c="dimmed" p="xs">
      {children}
    </Text>
  );
}

function SimpleTable({ label, head, rows }: { label: string; head: string[]; rows: ReactNode[][] }) {
  return (
    <Table fz="sm" striped aria-label={label} layout="fixed">
      <Table.Thead>
        <Table.Tr>
          {head.map((h) => (
            <Table.Th key={h}>{h}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((cells, i) => (
          <Table.Tr key={i}>
            {cells.map((c, j) => (
              <Table.Td key={j} style={WRAP}>
                {c}
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function ColumnsTab({ d }: { d: SchemaObjectDetails }) {
  if (d.columns.length === 0) return <Empty>{d.kind === 'sequence' ? 'A sequence has no columns: its settings are in the DDL.' : 'No columns.'}</Empty>;
  return (
    <SimpleTable
      label="Columns"
      head={['Column', 'Type', 'Null', 'Default', 'Comment']}
      rows={d.columns.map((c) => [
        c.name,
        <Code key="t">{c.type}</Code>,
        c.nullable ? 'yes' : 'not null',
        c.identity ? `identity (${c.identity})` : c.generated ? `generated: ${c.default ?? ''}` : (c.default ?? ''),
        c.comment ?? '',
      ])}
    />
  );
}

function PoliciesTab({ d }: { d: SchemaObjectDetails }) {
  return (
    <Stack gap="xs">
      {d.rls ? (
        <Group gap="xs" p="xs">
          <Text size="sm">Row level security:</Text>
          <Badge color={d.rls.enabled ? 'green' : 'gray'}>{d.rls.enabled ? 'on' : 'off'}</Badge>
          {d.rls.forced ? <Badge color="orange">forced (applies to the owner too)</Badge> : null}
        </Group>
      ) : (
        <Empty>Policies apply to tables only.</Empty>
      )}
      {d.policies.length > 0 ? (
        <SimpleTable
          label="Policies"
          head={['Policy', 'Command', 'Roles', 'Using', 'With check']}
          rows={d.policies.map((p) => [`${p.name}${p.permissive ? '' : ' (restrictive)'}`, p.command, p.roles.join(', '), p.using ?? '', p.withCheck ?? ''])}
        />
      ) : d.rls ? (
        <Empty>{d.rls.enabled ? 'RLS is on and no policy exists: only the owner (unless forced) and roles that bypass RLS see rows.' : 'No policies.'}</Empty>
      ) : null}
    </Stack>
  );
}

function DdlTab({ ddl, error, loading }: { ddl: ObjectDdl | null; error: ShownError | null; loading: boolean }) {
  if (error) return <ErrorAlert error={error} title="The DDL could not be read" />;
  if (loading || !ddl)
    return (
      <Group p="xs" gap="xs">
        <Loader size="xs" />
        <Text size="sm">Reading the DDL…</Text>
      </Group>
    );
  return (
    <Stack gap="xs">
      <Alert variant="light" color={ddl.source === 'pg_dump' ? 'blue' : 'gray'} p="xs" aria-label="DDL source">
        <Text size="xs">
          <b>Source: {ddl.source === 'pg_dump' ? 'pg_dump' : 'catalog'}.</b> {ddl.note}
        </Text>
        {ddl.command ? (
          <Text size="xs" c="dimmed" style={WRAP}>
            {ddl.command}
          </Text>
        ) : null}
      </Alert>
      <Code block aria-label="DDL text" style={{ ...WRAP, fontSize: 12 }}>
        {ddl.ddl}
      </Code>
    </Stack>
  );
}

export function ObjectDetails({ profileId, auth, selected }: { profileId: string; auth: PasswordState; selected: SelectedObject }) {
  const [details, setDetails] = useState<SchemaObjectDetails | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [ddl, setDdl] = useState<ObjectDdl | null>(null);
  const [ddlError, setDdlError] = useState<ShownError | null>(null);
  const [ddlLoading, setDdlLoading] = useState(false);
  const [tab, setTab] = useState<string | null>('columns');
  const [notice, setNotice] = useState<string | null>(null);
  const openInConsole = useOpenInConsole();
  const { password, noteError } = auth;

  useEffect(() => {
    let live = true;
    setDetails(null);
    setError(null);
    setDdl(null);
    setDdlError(null);
    setNotice(null);
    api
      .getSchemaObject({ profileId, oid: selected.oid, kind: selected.kind, ...(password !== undefined ? { password } : {}) })
      .then((d) => live && setDetails(d))
      .catch((err: unknown) => {
        if (!live) return;
        noteError(err);
        setError(toShownError(err));
      });
    return () => {
      live = false;
    };
  }, [profileId, selected.oid, selected.kind, password, noteError]);

  const loadDdl = useCallback(async (): Promise<ObjectDdl | null> => {
    if (ddl) return ddl;
    setDdlLoading(true);
    try {
      const result = await api.getObjectDdl({ profileId, oid: selected.oid, kind: selected.kind, ...(password !== undefined ? { password } : {}) });
      setDdl(result);
      setDdlError(null);
      return result;
    } catch (err) {
      noteError(err);
      setDdlError(toShownError(err));
      return null;
    } finally {
      setDdlLoading(false);
    }
  }, [ddl, profileId, selected.oid, selected.kind, password, noteError]);

  useEffect(() => {
    if (tab === 'ddl' && !ddl && !ddlLoading && !ddlError) void loadDdl();
  }, [tab, ddl, ddlLoading, ddlError, loadDdl]);

  const copy = async (what: string, text: string | null) => {
    if (text === null) return;
    setNotice((await copyToClipboard(text)) ? `Copied ${what}` : 'Copy failed: the browser refused the clipboard');
  };

  if (error) return <ErrorAlert error={error} title={`Could not read ${selected.schema}.${selected.name}`} />;
  if (!details)
    return (
      <Group gap="xs" p="sm">
        <Loader size="xs" />
        <Text size="sm">Reading {selected.name}…</Text>
      </Group>
    );

  const d = details;
  const facts = [
    d.owner ? `owner ${d.owner}` : null,
    d.rowEstimate !== null ? `~${formatCount(d.rowEstimate)} rows` : null,
    d.bytes !== null ? formatBytes(d.bytes) : null,
    d.returns !== null && d.signature === null ? `base type ${d.returns}` : null,
  ].filter(Boolean);

  return (
    <Stack gap="xs" style={{ flex: 1, minHeight: 0 }} aria-label="Object details" role="region">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <Badge variant="light" style={{ flex: 'none' }}>
              {KIND_LABELS[d.kind]}
            </Badge>
            <Title order={3} size="h4" style={{ ...WRAP, minWidth: 0 }}>
              {d.qualifiedName}
              {d.signature !== null ? `(${d.signature})` : ''}
            </Title>
          </Group>
          <Text size="xs" c="dimmed">
            {facts.join(' · ')}
            {d.returns !== null && d.signature !== null ? ` · returns ${d.returns}` : ''}
          </Text>
          {d.comment ? (
            <Text size="sm" style={WRAP}>
              {d.comment}
            </Text>
          ) : null}
        </Stack>
        <Group gap="xs" wrap="wrap">
          {d.selectable ? (
            <Button size="xs" onClick={() => openInConsole({ sql: selectSql(d.schema, d.name), profileId, title: d.name })}>
              Open in console
            </Button>
          ) : null}
          <Button size="xs" variant="default" onClick={() => void copy('the name', d.qualifiedName)}>
            Copy name
          </Button>
          <Button size="xs" variant="default" loading={ddlLoading && tab !== 'ddl'} onClick={() => void loadDdl().then((r) => copy('the DDL', r?.ddl ?? null))}>
            Copy DDL
          </Button>
        </Group>
      </Group>
      {notice ? (
        <Text size="xs" c="dimmed" role="status">
          {notice}
        </Text>
      ) : null}
      <Tabs value={tab} onChange={setTab} keepMounted={false} style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
        <Tabs.List>
          <Tabs.Tab value="columns">Columns {d.columns.length > 0 ? `(${d.columns.length})` : ''}</Tabs.Tab>
          <Tabs.Tab value="indexes">Indexes {d.indexes.length > 0 ? `(${d.indexes.length})` : ''}</Tabs.Tab>
          <Tabs.Tab value="constraints">Constraints {d.constraints.length > 0 ? `(${d.constraints.length})` : ''}</Tabs.Tab>
          <Tabs.Tab value="triggers">Triggers {d.triggers.length > 0 ? `(${d.triggers.length})` : ''}</Tabs.Tab>
          <Tabs.Tab value="policies">Policies {d.policies.length > 0 ? `(${d.policies.length})` : ''}</Tabs.Tab>
          <Tabs.Tab value="grants">Grants</Tabs.Tab>
          <Tabs.Tab value="ddl">DDL</Tabs.Tab>
        </Tabs.List>
        <ScrollArea style={{ flex: 1, minHeight: 0 }} pt="xs" type="auto">
          <Tabs.Panel value="columns">
            <ColumnsTab d={d} />
            {d.enumLabels.length > 0 ? <SimpleTable label="Labels" head={['Label']} rows={d.enumLabels.map((l) => [l])} /> : null}
          </Tabs.Panel>
          <Tabs.Panel value="indexes">
            {d.indexes.length > 0 ? (
              <SimpleTable
                label="Indexes"
                head={['Index', 'Definition', 'Size']}
                rows={d.indexes.map((i) => [
                  `${i.name}${i.primary ? ' (primary)' : ''}${i.valid ? '' : ' (INVALID)'}`,
                  <Code key="d">{i.definition}</Code>,
                  formatBytes(i.bytes),
                ])}
              />
            ) : (
              <Empty>No indexes.</Empty>
            )}
          </Tabs.Panel>
          <Tabs.Panel value="constraints">
            {d.constraints.length > 0 ? (
              <SimpleTable
                label="Constraints"
                head={['Constraint', 'Type', 'Definition']}
                rows={d.constraints.map((c) => [c.name, c.type, <Code key="d">{c.definition}</Code>])}
              />
            ) : (
              <Empty>No constraints.</Empty>
            )}
          </Tabs.Panel>
          <Tabs.Panel value="triggers">
            {d.triggers.length > 0 ? (
              <SimpleTable
                label="Triggers"
                head={['Trigger', 'Definition']}
                rows={d.triggers.map((t) => [`${t.name}${t.enabled ? '' : ' (disabled)'}`, <Code key="d">{t.definition}</Code>])}
              />
            ) : (
              <Empty>No triggers.</Empty>
            )}
          </Tabs.Panel>
          <Tabs.Panel value="policies">
            <PoliciesTab d={d} />
          </Tabs.Panel>
          <Tabs.Panel value="grants">
            {d.grants.length > 0 ? (
              <SimpleTable
                label="Grants"
                head={['Grantee', 'Privileges', 'Grantable', 'Grantor']}
                rows={d.grants.map((g) => [g.grantee, g.privileges.join(', '), g.grantable.join(', '), g.grantor])}
              />
            ) : (
              <Empty>No grants: only the owner and superusers may use it.</Empty>
            )}
          </Tabs.Panel>
          <Tabs.Panel value="ddl">
            <DdlTab ddl={ddl} error={ddlError} loading={ddlLoading} />
          </Tabs.Panel>
        </ScrollArea>
      </Tabs>
    </Stack>
  );
}
