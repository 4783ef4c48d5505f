// Cancel or terminate one backend: the confirmation shows who and what (user, application,
// duration, query), production terminate asks for the profile's name, and the answer shows
// whether it worked as the core verified it. A cancel that left the query running offers
// the runbook's next step: terminate instead. On a read-only production profile the same
// dialog elevates first (reason, duration, typed name), then acts: never a dialog that ends
// in a refusal; where elevation cannot help, it says so before anything, with the fix.
import { Alert, Badge, Button, Code, Group, Modal, ScrollArea, SimpleGrid, Stack, Text } from '@mantine/core';
import { useEffect, useState, type ReactNode } from 'react';
import type { SignalResult } from '@contract/activity';
import type { Profile } from '@contract/models';
import { api, OpsError } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { TypedNameConfirm } from '../../shared/components/TypedNameConfirm';
import { ElevationFields, elevationReady, EMPTY_ELEVATION, type ElevationDraft } from '../../shared/components/ElevationFields';
import { useAppState } from '../../shared/state/app-state';
import { elevationBlocker, elevationRequest, needsElevation } from '../../shared/state/elevation';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { formatDuration } from '../../shared/format/time';
import {
  ACTION_WORDS,
  HIDDEN_QUERY_TEXT,
  explainRefusal,
  offerTerminate,
  signalBlocked,
  signalOutcome,
  type SignalAction,
  type SignalTarget,
} from './activity-model';

export interface SignalRequest {
  action: SignalAction;
  target: SignalTarget;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}

function ResultView({ result }: { result: SignalResult }) {
  const outcome = signalOutcome(result);
  return (
    <Alert color={outcome.color} variant="light" title={outcome.title} role="status">
      <Stack gap={4}>
        <Text size="sm">{result.message}</Text>
        <Text size="xs" c="dimmed">
          {result.action === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend'} returned {String(result.signalled)}; checked afterwards:{' '}
          {result.effective ? 'effective' : 'not effective'}.
        </Text>
        {result.after ? (
          <Text size="xs">
            Now: {result.after.state ?? 'no state'}
            {result.after.queryDurationMs !== null ? ` for ${formatDuration(result.after.queryDurationMs)}` : ''}
          </Text>
        ) : null}
      </Stack>
    </Alert>
  );
}

export function SignalDialog({
  request,
  profile,
  password,
  onClose,
  onDone,
}: {
  request: SignalRequest | null;
  profile: Profile;
  password: string | undefined;
  onClose: () => void;
  onDone: () => void;
}) {
  const [action, setAction] = useState<SignalAction>('cancel');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SignalResult | null>(null);
  const [error, setError] = useState<(ShownError & { why: string | null }) | null>(null);
  const [elevation, setElevation] = useState<ElevationDraft>(EMPTY_ELEVATION);
  const { reloadProfiles, setScreen } = useAppState();

  // The last request stays shown while the modal animates out.
  const [shownRequest, setShownRequest] = useState<SignalRequest | null>(request);

  useEffect(() => {
    if (!request) return;
    setShownRequest(request);
    setAction(request.action);
    setTyped('');
    setResult(null);
    setError(null);
    setElevation(EMPTY_ELEVATION);
  }, [request]);

  if (!shownRequest) return null;
  const target = shownRequest.target;
  const words = ACTION_WORDS[action];
  const elevate = needsElevation(profile);
  const needsName = (action === 'terminate' && profile.env === 'production') || elevate;
  const blocker = elevationBlocker(profile);
  const blocked = blocker?.message ?? signalBlocked(action, target);

  async function run() {
    const backendStart = target.backendStart;
    if (action === 'terminate' && !backendStart) return;
    setBusy(true);
    setError(null);
    setResult(null);
    const input = {
      profileId: profile.id,
      pid: target.pid,
      ...(needsName ? { confirmName: typed } : {}),
      ...(password ? { password } : {}),
    };
    try {
      if (elevate) {
        await api.elevateProfile({ profileId: profile.id, confirmName: typed, reason: elevation.reason, ...elevationRequest(elevation.choice) });
        // The band shows the elevation (and its time left) from the profile list.
        void reloadProfiles().catch(() => undefined);
      }
      setResult(
        action === 'terminate' && backendStart
          ? await api.terminateBackend({ ...input, backendStart })
          : await api.cancelBackend({ ...input, ...(backendStart ? { backendStart } : {}) }),
      );
      onDone();
      if (elevate) void reloadProfiles().catch(() => undefined);
    } catch (err) {
      const shown = toShownError(err);
      setError({ ...shown, why: err instanceof OpsError ? explainRefusal(err.code, action) : null });
    } finally {
      setBusy(false);
    }
  }

  function terminateInstead() {
    setAction('terminate');
    setResult(null);
    setTyped('');
  }

  const done = result !== null && !offerTerminate(result);
  return (
    <Modal opened={request !== null} onClose={onClose} size="lg" title={`${words.verb} backend ${target.pid}?`}>
      <Stack gap="sm">
        <Text size="sm">
          {words.fn} {words.effect}
        </Text>
        <SimpleGrid cols={3} spacing="sm">
          <Field label="User">{target.user ?? '—'}</Field>
          <Field label="Application">{target.application || '—'}</Field>
          <Field label="Duration">
            {formatDuration(target.durationMs)}
            {target.state ? ` (${target.state})` : ''}
          </Field>
        </SimpleGrid>
        {target.own ? (
          <Badge color="grape" variant="light">
            This is one of Ops Console’s own connections
          </Badge>
        ) : null}
        <Field label="Query">
          {target.hidden ? (
            <Text size="sm" c="dimmed">
              {HIDDEN_QUERY_TEXT} (this role lacks pg_read_all_stats)
            </Text>
          ) : (
            <ScrollArea.Autosize mah={200}>
              <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                {target.query || '(none)'}
              </Code>
            </ScrollArea.Autosize>
          )}
        </Field>
        {blocker ? (
          <Alert color="orange" variant="light" title="This profile cannot act on the server">
            <Stack gap="xs" align="flex-start">
              <Text size="sm">{blocker.message}</Text>
              <Button
                size="xs"
                variant="light"
                onClick={() => {
                  onClose();
                  setScreen('profiles');
                }}
              >
                Open the profile's settings
              </Button>
            </Stack>
          </Alert>
        ) : blocked ? (
          <Alert color="orange" variant="light">
            {blocked}
          </Alert>
        ) : !target.backendStart ? (
          <Text size="xs" c="dimmed">
            This session is no longer in the latest snapshot; the core checks the pid again before signalling.
          </Text>
        ) : null}
        {result ? <ResultView result={result} /> : null}
        {result && offerTerminate(result) ? (
          <Alert color="orange" variant="light" title="Cancel did not stop it">
            <Text size="sm">
              The runbook’s next step: if cancel doesn’t work, force terminate. Terminating ends the session and rolls back its transaction.
            </Text>
          </Alert>
        ) : null}
        {error ? (
          <Stack gap={4}>
            <ErrorAlert title={`${words.verb} refused`} error={error} />
            {error.why ? <Text size="sm">{error.why}</Text> : null}
          </Stack>
        ) : null}
        {elevate && !done && !result ? <ElevationFields profile={profile} value={elevation} onChange={setElevation} /> : null}
        {needsName && !done ? <TypedNameConfirm name={profile.name} value={typed} onChange={setTyped} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {done ? 'Close' : 'Keep it'}
          </Button>
          {result && offerTerminate(result) ? (
            <Button color="red" onClick={terminateInstead}>
              Terminate instead
            </Button>
          ) : done ? null : (
            <Button
              color={action === 'terminate' ? 'red' : 'orange'}
              onClick={() => void run()}
              loading={busy}
              disabled={blocked !== null || (needsName && typed !== profile.name) || (elevate && !elevationReady(elevation))}
            >
              {elevate ? 'Elevate and ' + words.verb.toLowerCase() : words.verb} backend {target.pid}
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
