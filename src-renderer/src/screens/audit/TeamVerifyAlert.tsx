// The team store's verification (issue #22): one line per workstation, the first bad entry
// named for each whose chain in the team store does not check out.
import { Alert, List } from '@mantine/core';
import type { TeamVerifyResult } from '@contract/team';
import { IconAlert, IconCheck } from '../../shared/components/icons';

export function TeamVerifyAlert({ result, onClose }: { result: TeamVerifyResult; onClose: () => void }) {
  const bad = result.workstations.filter((w) => !w.ok);
  return (
    <Alert
      color={result.ok ? 'teal' : 'red'}
      variant={result.ok ? 'light' : 'filled'}
      icon={result.ok ? <IconCheck /> : <IconAlert />}
      title={result.ok ? 'Team audit trail intact' : 'Team audit trail has been tampered with'}
      role={result.ok ? undefined : 'alert'}
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={onClose}
    >
      {result.workstations.length === 0 ? (
        'The team store holds no workstation yet.'
      ) : (
        <List size="sm">
          {(result.ok ? result.workstations : bad).map((w) => (
            <List.Item key={w.id}>
              {w.name} · {w.id.slice(0, 8)}:{' '}
              {w.ok
                ? `${w.entries} ${w.entries === 1 ? 'entry checks' : 'entries check'} out`
                : `first bad entry #${w.firstBadId ?? '?'} — ${w.problem ?? 'unknown problem'}`}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
