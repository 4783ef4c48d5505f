// "Export" for results larger than the grid keeps: the server streams the whole result of
// one SELECT to a CSV or JSON file in the app's exports folder, on its own read-only
// connection (the console stays usable meanwhile).
import { Button, Code, Menu, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { Profile, QueryExportResult } from '@contract/models';
import { api, OpsError } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { IconCheck } from '../../shared/components/icons';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatDuration } from '../../shared/format/time';
import { PasswordModal } from './GuardModals';

export interface ExportMenuProps {
  profile: Profile;
  /**
   * The statement to export, read when a format is chosen (the statement under the cursor,
   * or the selection): one SELECT (or WITH … SELECT, TABLE, VALUES); the core refuses anything else.
   */
  getSql: () => string;
  disabled?: boolean;
}

type Format = QueryExportResult['format'];

const FORMAT_NAMES: Record<Format, string> = { csv: 'CSV', json: 'JSON' };

/** The exported file's size with its exact byte count beside it (formatBytes rounds, as pg_size_pretty does). */
function exportSize(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes.toLocaleString()} bytes` : `${value.toFixed(1)} ${units[unit]} (${bytes.toLocaleString()} bytes)`;
}

function ExportDone({ result }: { result: QueryExportResult }) {
  return (
    <Stack gap={4}>
      <Text size="sm">
        {result.rows.toLocaleString()} row{result.rows === 1 ? '' : 's'}, {exportSize(result.bytes)}, in {formatDuration(result.durationMs)}.
      </Text>
      <Code style={{ wordBreak: 'break-all', userSelect: 'all' }}>{result.path}</Code>
    </Stack>
  );
}

export function ExportMenu({ profile, getSql, disabled = false }: ExportMenuProps) {
  const [running, setRunning] = useState<Format | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [askPassword, setAskPassword] = useState<Format | null>(null);

  const run = async (format: Format, password?: string) => {
    const sql = getSql();
    if (sql.trim() === '') {
      setError({ code: 'INVALID_INPUT', message: 'Nothing to export: put the cursor in a SELECT (or select one) in the editor.' });
      return;
    }
    setRunning(format);
    setError(null);
    try {
      const result = await api.exportQuery({ profileId: profile.id, sql, format, ...(password !== undefined ? { password } : {}) });
      notifications.show({
        color: 'teal',
        title: `Exported to ${FORMAT_NAMES[format]}`,
        message: <ExportDone result={result} />,
        icon: <IconCheck size={16} />,
        // The path is what the user needs next: keep it until they close it.
        autoClose: false,
      });
    } catch (err) {
      if (err instanceof OpsError && err.code === 'PASSWORD_REQUIRED' && password === undefined) setAskPassword(format);
      else setError(toShownError(err));
    } finally {
      setRunning(null);
    }
  };

  return (
    <>
      <Menu position="bottom-end" withinPortal disabled={disabled || running !== null}>
        <Menu.Target>
          <Button
            variant="default"
            size="xs"
            loading={running !== null}
            disabled={disabled}
            title="Stream the whole result of the SELECT under the cursor to a file"
          >
            {running ? `Exporting ${FORMAT_NAMES[running]}…` : 'Export'}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Whole result to a file</Menu.Label>
          <Menu.Item onClick={() => void run('csv')}>CSV file</Menu.Item>
          <Menu.Item onClick={() => void run('json')}>JSON file</Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {askPassword ? (
        <PasswordModal
          profile={profile}
          onCancel={() => setAskPassword(null)}
          onSubmit={(password) => {
            const format = askPassword;
            setAskPassword(null);
            void run(format, password);
          }}
        />
      ) : null}
      {error ? (
        <Modal opened onClose={() => setError(null)} title="Export failed" centered size="lg">
          <Stack gap="sm">
            <ErrorAlert error={error} title="Nothing was exported" />
            <Text size="xs" c="dimmed">
              An export takes exactly one SELECT and leaves either a complete file or none.
            </Text>
            <Button variant="default" onClick={() => setError(null)} style={{ alignSelf: 'flex-end' }} data-autofocus>
              Close
            </Button>
          </Stack>
        </Modal>
      ) : null}
    </>
  );
}
