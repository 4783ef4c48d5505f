// The snippet library: the runbook's procedures grouped by runbook section, then the
// user's own snippets. Insert puts a snippet in the editor; nothing runs from here.
import { Accordion, Badge, Button, Code, Group, Loader, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Snippet } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconCheck } from '../../shared/components/icons';
import { fieldErrorsOf, toShownError, type ShownError } from '../../shared/state/errors';

export interface SnippetsPanelProps {
  /** Put this SQL in the editor. */
  onInsert: (sql: string) => void;
  /** The editor's text, offered by "Save editor as snippet". */
  currentSql: string;
}

/** Marks built-ins that change the server (see the core's snippet library). */
const WRITES_PREFIX = 'Changes the server:';

function groupBySection(snippets: Snippet[]): Array<{ section: string; items: Snippet[] }> {
  const groups: Array<{ section: string; items: Snippet[] }> = [];
  for (const s of snippets) {
    const last = groups[groups.length - 1];
    if (last && last.section === s.section) last.items.push(s);
    else groups.push({ section: s.section, items: [s] });
  }
  return groups;
}

function SnippetItem({ snippet, onInsert, onDelete }: { snippet: Snippet; onInsert: (sql: string) => void; onDelete: (s: Snippet) => void }) {
  const writes = snippet.builtin && snippet.description.startsWith(WRITES_PREFIX);
  return (
    <Stack component="li" gap={4} style={{ listStyle: 'none' }} aria-label={snippet.title}>
      <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Group gap={6}>
            <Text size="sm" fw={600}>
              {snippet.title}
            </Text>
            {writes ? (
              <Badge size="xs" color="orange" variant="light">
                writes
              </Badge>
            ) : null}
          </Group>
          {snippet.description ? (
            <Text size="xs" c="dimmed">
              {snippet.description}
            </Text>
          ) : null}
        </Stack>
        <Group gap={4} wrap="nowrap">
          <Button
            size="compact-xs"
            variant="light"
            onClick={() => onInsert(snippet.sql)}
            aria-label={`Insert “${snippet.title}” into the editor`}
            title={snippet.sql}
          >
            Insert
          </Button>
          {!snippet.builtin ? (
            <Button size="compact-xs" variant="subtle" color="red" onClick={() => onDelete(snippet)} aria-label={`Delete snippet “${snippet.title}”`}>
              Delete
            </Button>
          ) : null}
        </Group>
      </Group>
    </Stack>
  );
}

function SaveSnippetModal({ sql, onClose, onSaved }: { sql: string; onClose: () => void; onSaved: (s: Snippet) => void }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      onSaved(await api.saveSnippet({ title, sql, description }));
    } catch (err) {
      setFields(fieldErrorsOf(err));
      setError(toShownError(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title="Save the editor as a snippet" centered size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack gap="sm">
          <TextInput
            label="Title"
            required
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={fields.title}
            maxLength={200}
            data-autofocus
          />
          <Textarea
            label="Description"
            description="What it checks or changes, for whoever runs it next."
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={2000}
          />
          <Text size="sm" fw={600}>
            SQL
          </Text>
          <Code block style={{ whiteSpace: 'pre-wrap', maxHeight: 200, overflow: 'auto' }}>
            {sql}
          </Code>
          {error ? <ErrorAlert error={error} title="The snippet was not saved" /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={saving} disabled={title.trim() === ''}>
              Save snippet
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function DeleteSnippetModal({ snippet, onClose, onDeleted }: { snippet: Snippet; onClose: () => void; onDeleted: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const remove = async () => {
    setBusy(true);
    try {
      await api.deleteSnippet({ id: snippet.id });
      onDeleted();
    } catch (err) {
      setError(toShownError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title={`Delete “${snippet.title}”?`} centered>
      <Stack gap="sm">
        <Text size="sm">The snippet is removed from your library. The SQL it held stays in the audit trail.</Text>
        {error ? <ErrorAlert error={error} title="The snippet was not deleted" /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={() => void remove()}>
            Delete snippet
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function SnippetsPanel({ onInsert, currentSql }: SnippetsPanelProps) {
  const [snippets, setSnippets] = useState<Snippet[] | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState<Snippet | null>(null);

  const load = useCallback(() => {
    api
      .listSnippets({})
      .then((res) => {
        setSnippets(res.snippets);
        setError(null);
      })
      .catch((err: unknown) => setError(toShownError(err)));
  }, []);
  useEffect(load, [load]);

  const groups = useMemo(() => groupBySection(snippets ?? []), [snippets]);
  const hasMine = groups.some((g) => g.items.some((s) => !s.builtin));

  return (
    <Stack gap="xs" component="section" aria-label="Snippets">
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          The runbook's checks and procedures{hasMine ? ', and your own snippets' : ''}. Insert puts the SQL in the editor; nothing runs until you run it.
        </Text>
        <Button
          size="xs"
          variant="light"
          onClick={() => setSaving(true)}
          disabled={currentSql.trim() === ''}
          title={currentSql.trim() === '' ? 'Type some SQL in the editor first' : undefined}
        >
          Save editor as snippet
        </Button>
      </Group>
      {error ? <ErrorAlert error={error} title="Could not load the snippets" onClose={() => setError(null)} /> : null}
      {snippets === null && !error ? <Loader size="sm" aria-label="Loading snippets" /> : null}
      {snippets !== null ? (
        <Accordion multiple variant="separated" defaultValue={[groups[0]?.section ?? '']}>
          {groups.map((group) => (
            <Accordion.Item key={group.section} value={group.section}>
              <Accordion.Control>
                <Group gap="xs">
                  <Text size="sm" fw={600}>
                    {group.section}
                  </Text>
                  <Badge size="xs" variant="light" color="gray">
                    {group.items.length}
                  </Badge>
                </Group>
              </Accordion.Control>
              <Accordion.Panel>
                <Stack component="ul" gap="sm" p={0} m={0}>
                  {group.items.map((s) => (
                    <SnippetItem key={s.id} snippet={s} onInsert={onInsert} onDelete={setDeleting} />
                  ))}
                </Stack>
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      ) : null}
      {snippets !== null && !hasMine ? (
        <Text size="xs" c="dimmed">
          Your own snippets appear under “My snippets”: type SQL in the editor and choose “Save editor as snippet”.
        </Text>
      ) : null}
      {saving ? (
        <SaveSnippetModal
          sql={currentSql}
          onClose={() => setSaving(false)}
          onSaved={(saved) => {
            setSaving(false);
            notifications.show({ color: 'teal', title: 'Snippet saved', message: `“${saved.title}” is in My snippets.`, icon: <IconCheck size={16} /> });
            load();
          }}
        />
      ) : null}
      {deleting ? (
        <DeleteSnippetModal
          snippet={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            load();
          }}
        />
      ) : null}
    </Stack>
  );
}
