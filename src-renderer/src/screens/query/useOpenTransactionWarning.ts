// The runbook's "idle in transaction" problem, prevented at the source: while a console
// transaction is open, closing or reloading the window asks first (beforeunload; the
// desktop shell turns it into a native dialog), and leaving the console for another
// screen or profile leaves a notice that stays until it is dismissed.
import { notifications } from '@mantine/notifications';
import { useEffect, useRef } from 'react';
import type { Profile } from '@contract/models';
import { DEFAULT_IDLE_CLOSE_MINUTES } from './query-tools';

export function useOpenTransactionWarning(profile: Profile, open: boolean): void {
  const openRef = useRef(open);
  openRef.current = open;

  useEffect(() => {
    if (!open) return undefined;
    function onBeforeUnload(event: BeforeUnloadEvent) {
      event.preventDefault();
      // Older engines need returnValue set to show the prompt.
      event.returnValue = '';
    }
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [open]);

  useEffect(
    () => () => {
      if (!openRef.current) return;
      notifications.show({
        id: `open-transaction-${profile.id}`,
        color: 'yellow',
        title: `Transaction still open on ${profile.name}`,
        message: `Its locks stay held and the session shows as "idle in transaction". Go back to Query and run COMMIT or ROLLBACK; after ${DEFAULT_IDLE_CLOSE_MINUTES} idle minutes the console closes the session and the server rolls it back.`,
        autoClose: false,
      });
    },
    [profile.id, profile.name],
  );
}
