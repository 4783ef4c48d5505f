// The Query screen: one console per open profile, side by side as tabs (ConsoleStrip), each
// with its own editor tabs, session and results; the one on screen is the active profile's.
// The screen fills the window below the frame's header (FullHeightScreen), and its panes
// scroll inside themselves. SQL sent from other screens (openInConsole, a runbook's step) opens in a new
// editor tab of the console it names, not run.
import { Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { FullHeightScreen } from '../../shared/components/FullHeightScreen';
import { useAppState } from '../../shared/state/app-state';
import { takeConsoleIntent, useConsoleIntent } from '../../shared/state/console-intent';
import { readSetting, writeSetting } from '../../shared/state/storage';
import { ConsoleStrip } from './ConsoleStrip';
import { openConsoles, withConsole, withoutConsole } from './layout-model';
import { QueryConsole, type ConsoleStatus, type OpenRequest } from './QueryConsole';
import { savedEditorShare } from './Splitter';

const OPEN_SETTING = 'query.consoles';

function savedConsoles(): string[] {
  try {
    const parsed: unknown = JSON.parse(readSetting(OPEN_SETTING) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function NoProfile() {
  const { profiles, setScreen } = useAppState();
  return (
    <Stack gap="md">
      <Title order={2}>Query</Title>
      <Paper component="section" withBorder p="md" aria-label="Getting started">
        <Text fw={600} mb={4}>
          Pick a profile first
        </Text>
        <Text size="sm" c="dimmed" mb="sm">
          {profiles.length > 0
            ? 'Choose the database to query with the profile switcher at the top; the coloured band shows which environment you are on.'
            : 'No connection profile exists yet: add one (or start the demo sandbox) on the Profiles screen.'}
        </Text>
        <Button variant="light" onClick={() => setScreen('profiles')}>
          Open Profiles
        </Button>
      </Paper>
    </Stack>
  );
}

export function QueryScreen() {
  const { active, profiles, setActiveId, queryRequest, takeQueryRequest } = useAppState();
  const [opened, setOpened] = useState<string[]>(savedConsoles);
  const [editorShare, setEditorShare] = useState(savedEditorShare);
  const [requests, setRequests] = useState<Record<string, OpenRequest>>({});
  const intent = useConsoleIntent();
  const [statuses, setStatuses] = useState<Record<string, ConsoleStatus>>({});
  const [closing, setClosing] = useState<string | null>(null);
  const onStatus = useCallback((id: string, status: ConsoleStatus) => {
    setStatuses((all) => (all[id]?.running === status.running && all[id]?.transactionOpen === status.transactionOpen ? all : { ...all, [id]: status }));
    // A busy console, or one holding a transaction, stays in the strip when the header switches profiles.
    if (status.running || status.transactionOpen) setOpened((ids) => (ids.includes(id) ? ids : withConsole(ids, id)));
  }, []);

  // The active profile always has a console; profiles that were removed lose theirs. A console
  // nobody opened explicitly (the active profile's) follows the header's profile switcher.
  const consoles = useMemo(() => openConsoles(opened, active?.id ?? null, profiles), [opened, active, profiles]);
  useEffect(() => writeSetting(OPEN_SETTING, JSON.stringify(consoles.map((p) => p.id))), [consoles]);

  // SQL sent here: to the console of the profile it names (opened and shown), else the active one.
  useEffect(() => {
    const fromScreen = intent ? takeConsoleIntent() : null;
    const fromRunbook = !fromScreen && queryRequest ? takeQueryRequest() : null;
    const request = fromScreen ?? (fromRunbook ? { sql: fromRunbook.sql, title: fromRunbook.title } : null);
    if (!request) return;
    const target = (fromScreen?.profileId && profiles.some((p) => p.id === fromScreen.profileId) ? fromScreen.profileId : null) ?? active?.id;
    if (!target) return;
    // The console on screen stays open beside the one the SQL goes to.
    setOpened((ids) => withConsole(active ? withConsole(ids, active.id) : ids, target));
    if (target !== active?.id) setActiveId(target);
    setRequests((all) => ({ ...all, [target]: { sql: request.sql, ...(request.title !== undefined ? { title: request.title } : {}) } }));
  }, [intent, queryRequest, takeQueryRequest, profiles, active, setActiveId]);

  const takeRequest = useCallback((profileId: string) => {
    setRequests((all) => {
      if (!(profileId in all)) return all;
      const rest = { ...all };
      delete rest[profileId];
      return rest;
    });
  }, []);
  const select = useCallback((id: string) => setActiveId(id), [setActiveId]);
  const open = useCallback(
    (id: string) => {
      // Opening a second console pins the one on screen: both stay, side by side.
      setOpened((ids) => withConsole(active ? withConsole(ids, active.id) : ids, id));
      setActiveId(id);
    },
    [active, setActiveId],
  );
  const closeNow = useCallback(
    (id: string) => {
      setClosing(null);
      setStatuses((all) => {
        const rest = { ...all };
        delete rest[id];
        return rest;
      });
      const next = withoutConsole(
        consoles.map((p) => p.id),
        id,
      );
      setOpened(next);
      if (id === active?.id && next[0]) setActiveId(next[0]);
    },
    [consoles, active, setActiveId],
  );
  // Closing a console leaves its session to the idle close: ask first when it is busy or holds a transaction.
  const close = useCallback((id: string) => (statuses[id]?.running || statuses[id]?.transactionOpen ? setClosing(id) : closeNow(id)), [statuses, closeNow]);

  if (!active) return <NoProfile />;
  const others = profiles.filter((p) => !consoles.some((c) => c.id === p.id));
  const strip = <ConsoleStrip consoles={consoles} statuses={statuses} activeId={active.id} others={others} onSelect={select} onOpen={open} onClose={close} />;
  const closingProfile = consoles.find((p) => p.id === closing) ?? null;
  return (
    <FullHeightScreen aria-label="Query console">
      {consoles.map((profile) => (
        <QueryConsole
          key={profile.id}
          profile={profile}
          visible={profile.id === active.id}
          editorShare={editorShare}
          onEditorShare={setEditorShare}
          header={profile.id === active.id ? strip : null}
          request={requests[profile.id] ?? null}
          onRequestTaken={() => takeRequest(profile.id)}
          onStatus={onStatus}
        />
      ))}
      {closingProfile ? (
        <Modal opened onClose={() => setClosing(null)} title={`Close the console on ${closingProfile.name}?`} centered>
          <Stack gap="sm">
            <Text size="sm">
              {statuses[closingProfile.id]?.running
                ? 'A statement is still running there. Closing the console does not stop it: cancel it first (Esc in that console).'
                : 'A transaction is open on its session: its locks stay held until you run COMMIT or ROLLBACK there, or the session is closed after its idle minutes and the server rolls it back.'}
            </Text>
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setClosing(null)} data-autofocus>
                Keep it open
              </Button>
              <Button color="red" onClick={() => closeNow(closingProfile.id)}>
                Close anyway
              </Button>
            </Group>
          </Stack>
        </Modal>
      ) : null}
    </FullHeightScreen>
  );
}
