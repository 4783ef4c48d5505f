// Create or edit a profile: every field of the contract's profile input, field-level
// errors from the same schema the core uses, and the password kept apart from the profile.
import {
  Alert,
  Button,
  Divider,
  Group,
  List,
  NativeSelect,
  PasswordInput,
  Radio,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ENVIRONMENTS, SSL_MODES, type AppInfo, type Profile, type ProfileDraft } from '@contract/models';
import { api } from '../../shared/api/client';
import { ErrorAlert } from '../../shared/components/ErrorAlert';
import { TypedNameConfirm } from '../../shared/components/TypedNameConfirm';
import { IconInfo } from '../../shared/components/icons';
import { useAppState } from '../../shared/state/app-state';
import { fieldErrorsOf, toShownError, type ShownError } from '../../shared/state/errors';
import { ENV_STYLES } from '../../shared/theme';
import { ContactsEditor } from './ContactsEditor';
import { applyDraft, emptyForm, formFromProfile, toInput, withEnv, type ProfileForm as FormState } from './form-model';
import { ESCALATION_LEVELS } from '../../shared/labels/escalation';
import { ImportBar } from './ImportBar';
import { SshSection } from './SshSection';
import { StorageSection } from './StorageSection';
import { BreakGlassSection, breakGlassDraftOf, breakGlassInput } from './BreakGlassSection';
import { notifications } from '@mantine/notifications';

function passwordHelp(mode: AppInfo['mode'] | undefined, backend: string | undefined, editing: Profile | null): string {
  const where =
    mode === 'browser'
      ? 'In browser mode it is kept only in the memory of the local server for this session; you will enter it again after a restart.'
      : `Kept encrypted by ${backend ?? 'the system secret store'}, never in a plaintext file.`;
  const keep = editing?.hasSecret ? ' Leave empty to keep the stored password.' : ' Optional: without it, the password comes from ~/.pgpass or a prompt.';
  return where + keep;
}

export function ProfileForm({ editing, onSaved, onCancel }: { editing: Profile | null; onSaved: (p: Profile) => void; onCancel: () => void }) {
  const { info, active } = useAppState();
  const [breakGlass, setBreakGlass] = useState(() => breakGlassDraftOf(editing));
  const [form, setForm] = useState<FormState>(() => (editing ? formFromProfile(editing) : emptyForm()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<ShownError | null>(null);
  const [imported, setImported] = useState<{ source: string; warnings: string[] } | null>(null);
  const [saving, setSaving] = useState(false);
  const [typedName, setTypedName] = useState('');
  // Said before saving: a read-only production profile made writable (or moved out of
  // production) needs its name typed, as the core requires (updateProfile).
  const lowersProduction = editing !== null && editing.env === 'production' && editing.readOnly && (!form.readOnly || form.env !== 'production');

  function set<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => {
      if (!(key in e)) return e;
      const { [key]: _removed, ...rest } = e;
      return rest;
    });
  }

  function clearErrors(keys: string[]) {
    setErrors((e) => (keys.some((k) => k in e) ? Object.fromEntries(Object.entries(e).filter(([k]) => !keys.includes(k))) : e));
  }

  function onDraft(draft: ProfileDraft, source: string) {
    setForm((f) => applyDraft(f, draft));
    setErrors({});
    setImported({ source, warnings: draft.warnings });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    const { input, errors: local, sshSecret, jumpSecret, storageSecret } = toInput(form);
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setSaving(true);
    try {
      const password = form.password === '' ? undefined : form.password;
      // Secrets travel beside the profile, never inside it.
      const secrets = {
        ...(password !== undefined ? { password } : {}),
        ...(sshSecret !== undefined ? { sshSecret } : {}),
        ...(jumpSecret !== undefined ? { jumpSecret } : {}),
        ...(storageSecret !== undefined ? { storageSecret } : {}),
      };
      const { breakGlassUser, ...breakGlassSecret } = breakGlassInput(breakGlass, editing);
      const profile = { ...input, breakGlassUser };
      const saved = editing
        ? await api.updateProfile({ id: editing.id, profile, ...secrets, ...breakGlassSecret, ...(lowersProduction ? { confirmName: typedName } : {}) })
        : await api.createProfile({ profile, ...secrets, ...breakGlassSecret });
      // A new production profile is never made active without saying so (issue #19, first run).
      if (!editing && saved.env === 'production') {
        notifications.show({
          color: 'red',
          title: 'Production profile saved',
          message: active
            ? `“${active.name}” stays the active profile. Switch to “${saved.name}” in the header when you mean to work on production.`
            : `“${saved.name}” is now the active profile: PRODUCTION (red band)${saved.readOnly ? ', read-only' : ''}.`,
        });
      }
      onSaved(saved);
    } catch (err) {
      const fields = fieldErrorsOf(err, 'profile.');
      setErrors(fields);
      if (Object.keys(fields).length === 0) setFailure(toShownError(err));
    } finally {
      setSaving(false);
    }
  }

  const contactErrors = Object.entries(errors)
    .filter(([k]) => k.startsWith('contacts'))
    .map(([k, m]) => `${k}: ${m}`);
  const errorCount = Object.keys(errors).length;

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label={editing ? `Edit profile ${editing.name}` : 'New profile'}>
      <Stack gap="lg">
        <Group justify="space-between">
          <Title order={2}>{editing ? `Edit profile “${editing.name}”` : 'New connection profile'}</Title>
          <Button variant="subtle" color="gray" onClick={onCancel}>
            Back to profiles
          </Button>
        </Group>

        <ImportBar onDraft={onDraft} />
        {imported ? (
          <Alert
            color={imported.warnings.length > 0 ? 'yellow' : 'teal'}
            variant="light"
            icon={<IconInfo />}
            title={`Filled from ${imported.source}`}
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => setImported(null)}
          >
            {imported.warnings.length > 0 ? (
              <List size="sm" spacing={4}>
                {imported.warnings.map((w) => (
                  <List.Item key={w}>{w}</List.Item>
                ))}
              </List>
            ) : (
              <Text size="sm">Check the fields below, then save.</Text>
            )}
          </Alert>
        ) : null}

        <Stack gap="sm">
          <Title order={3} size="h5">
            Identity
          </Title>
          <TextInput
            label="Profile name"
            description="Letters, digits, dot, dash, underscore. Used by the CLI: ops-console … NAME"
            required
            value={form.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={errors.name}
            autoComplete="off"
            spellCheck={false}
          />
          <Radio.Group
            label="Environment"
            description="Production is always shown in red and is read-only by default."
            value={form.env}
            onChange={(v) => {
              setForm((f) => withEnv(f, v as FormState['env']));
            }}
            error={errors.env}
          >
            <Group gap="lg" mt={6}>
              {ENVIRONMENTS.map((env) => (
                <Radio key={env} value={env} label={env} color={ENV_STYLES[env].color} />
              ))}
            </Group>
          </Radio.Group>
        </Stack>

        <Divider />
        <Stack gap="sm">
          <Title order={3} size="h5">
            Connection
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label="Host" required value={form.host} onChange={(e) => set('host', e.currentTarget.value)} error={errors.host} spellCheck={false} />
            <TextInput label="Port" required inputMode="numeric" value={form.port} onChange={(e) => set('port', e.currentTarget.value)} error={errors.port} />
            <TextInput
              label="Database"
              required
              value={form.database}
              onChange={(e) => set('database', e.currentTarget.value)}
              error={errors.database}
              spellCheck={false}
            />
            <TextInput
              label="User"
              required
              value={form.user}
              onChange={(e) => set('user', e.currentTarget.value)}
              error={errors.user}
              spellCheck={false}
              autoComplete="off"
            />
            <NativeSelect
              label="SSL mode"
              data={[...SSL_MODES]}
              value={form.sslmode}
              onChange={(e) => set('sslmode', e.currentTarget.value as FormState['sslmode'])}
              error={errors.sslmode}
            />
            {form.env === 'production' && form.sslmode === 'disable' ? (
              <Alert color="orange" variant="light" title="sslmode=disable on production" role="alert" style={{ gridColumn: '1 / -1' }}>
                The password and every row travel unencrypted. Use require (encrypts) or verify-full (also checks the server’s certificate) unless the server is
                only reachable through a private network or an SSH tunnel.
              </Alert>
            ) : null}
            <TextInput
              label="SSL root certificate"
              description="Path to a CA file (for verify-ca / verify-full)"
              value={form.sslRootCert}
              onChange={(e) => set('sslRootCert', e.currentTarget.value)}
              error={errors.sslRootCert}
              spellCheck={false}
            />
          </SimpleGrid>
          <PasswordInput
            label="Password"
            description={passwordHelp(info?.mode, info?.secretStore.backend, editing)}
            value={form.password}
            onChange={(e) => set('password', e.currentTarget.value)}
            error={errors.password}
            autoComplete="new-password"
          />
          {info && !info.secretStore.available ? (
            <Text size="xs" c="orange">
              The secret store is unavailable{info.secretStore.reason ? `: ${info.secretStore.reason}` : ''}. A password cannot be saved.
            </Text>
          ) : null}
        </Stack>

        <Divider />
        <SshSection
          value={form.ssh}
          onChange={(update) => setForm((f) => ({ ...f, ssh: update(f.ssh) }))}
          errors={errors}
          clearErrors={clearErrors}
          editing={editing}
          info={info}
        />

        <Divider />
        <StorageSection
          value={form.storage}
          onChange={(update) => setForm((f) => ({ ...f, storage: update(f.storage) }))}
          errors={errors}
          clearErrors={clearErrors}
          editing={editing}
          info={info}
        />

        <Divider />
        <BreakGlassSection value={breakGlass} onChange={setBreakGlass} editing={editing} env={form.env} error={errors.breakGlassUser} />

        <Divider />
        <Stack gap="sm">
          <Title order={3} size="h5">
            Safety
          </Title>
          <Switch
            label="Read-only"
            description={
              form.readOnlyTouched
                ? 'Refuses writes from this app on this profile.'
                : 'Refuses writes from this app. On by default for production; follows the environment until you change it.'
            }
            checked={form.readOnly}
            onChange={(e) => {
              const checked = e.currentTarget.checked;
              setForm((f) => ({ ...f, readOnly: checked, readOnlyTouched: true }));
            }}
          />
          <TextInput
            label="Statement timeout (ms)"
            description="Empty: no timeout set by the app. 30000 = 30 seconds."
            inputMode="numeric"
            value={form.statementTimeoutMs}
            onChange={(e) => set('statementTimeoutMs', e.currentTarget.value)}
            error={errors.statementTimeoutMs}
            maw={320}
          />
        </Stack>

        <Divider />
        <Stack gap="sm">
          <Title order={3} size="h5">
            On call
          </Title>
          <Radio.Group
            label="Escalation level"
            description="The runbook's escalation matrix: how serious an incident on this database is by default."
            value={form.escalationLevel}
            onChange={(v) => set('escalationLevel', v as FormState['escalationLevel'])}
            error={errors.escalationLevel}
          >
            <Stack gap={6} mt={6}>
              <Radio value="" label="Not set" />
              {ESCALATION_LEVELS.map((l) => (
                <Radio key={l.value} value={l.value} label={`${l.label} — ${l.meaning}`} />
              ))}
            </Stack>
          </Radio.Group>
          <Text size="sm" fw={500}>
            Emergency contacts
          </Text>
          <ContactsEditor rows={form.contacts} onChange={(rows) => set('contacts', rows)} errors={contactErrors} />
          <Textarea
            label="Notes"
            description="Anything the next person on call should know."
            autosize
            minRows={3}
            value={form.notes}
            onChange={(e) => set('notes', e.currentTarget.value)}
            error={errors.notes}
          />
          <TagsInput
            label="Tags"
            description="Labels fleet checks select by (e.g. prod, eu, shop): lowercase letters, digits, dot, dash, underscore; at most 16. Press Enter or comma after each."
            placeholder={form.tags.length === 0 ? 'prod, eu, …' : undefined}
            value={form.tags}
            // A pasted "prod, eu" or a typed "eu," arrives as one value: split it, as typing would.
            onChange={(tags) =>
              set('tags', [
                ...new Set(
                  tags
                    .flatMap((t) => t.split(/[\s,]+/))
                    .map((t) => t.trim().toLowerCase())
                    .filter((t) => t !== ''),
                ),
              ])
            }
            splitChars={[',', ' ']}
            clearable
            error={errors.tags ?? Object.entries(errors).find(([k]) => k.startsWith('tags.'))?.[1]}
          />
        </Stack>

        {lowersProduction && editing ? (
          <Stack gap={4}>
            <Text size="sm">
              This makes a read-only production profile able to change the server for good. For an emergency, elevate it for one action or a few minutes instead
              (the dialogs offer it).
            </Text>
            <TypedNameConfirm name={editing.name} value={typedName} onChange={setTypedName} />
          </Stack>
        ) : null}
        {failure ? <ErrorAlert title="The profile was not saved" error={failure} onClose={() => setFailure(null)} /> : null}
        {errorCount > 0 ? (
          <Text size="sm" c="red" role="alert">
            The profile was not saved: fix {errorCount === 1 ? 'the field' : `the ${errorCount} fields`} marked in red.
          </Text>
        ) : null}
        <Group>
          <Button type="submit" loading={saving} disabled={lowersProduction && typedName !== editing?.name}>
            {editing ? 'Save changes' : 'Save profile'}
          </Button>
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
