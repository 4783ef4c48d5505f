// The profile form's state, and how it maps to and from the contract's ProfileInput.
// Numbers are kept as typed text so a wrong value can be shown and explained, not lost.
import { profileInputSchema, type Contact, type Environment, type Profile, type ProfileDraft, type ProfileInput, type SslMode } from '@contract/models';
import { emptySsh, sshFormFromProfile, sshToInput, type SshForm } from './ssh-form-model';
import { applyStorageHint, emptyStorage, storageFormFromProfile, storageToInput, type StorageForm } from './storage-form-model';

export interface ContactRow {
  role: string;
  name: string;
  contact: string;
  availability: string;
}

export interface ProfileForm {
  name: string;
  host: string;
  port: string;
  database: string;
  user: string;
  sslmode: SslMode;
  sslRootCert: string;
  env: Environment;
  readOnly: boolean;
  /** Once the user flips read-only, changing the environment stops overriding it. */
  readOnlyTouched: boolean;
  statementTimeoutMs: string;
  notes: string;
  contacts: ContactRow[];
  escalationLevel: '' | '1' | '2' | '3';
  password: string;
  ssh: SshForm;
  storage: StorageForm;
  /** Fleet labels (issue #22), as typed; the contract lowercases and checks them. */
  tags: string[];
}

/** The runbook's Emergency Contacts table, as rows to fill in. */
export const RUNBOOK_CONTACTS: ContactRow[] = [
  { role: 'Database Admin', name: '', contact: '', availability: '24/7' },
  { role: 'Dev Team Lead', name: '', contact: '', availability: 'Business hours' },
  { role: 'Supabase Support', name: 'Supabase', contact: 'support@supabase.io', availability: '24/7 (Enterprise)' },
  { role: 'System Admin', name: '', contact: '', availability: 'On-call rotation' },
];

export function emptyForm(): ProfileForm {
  return {
    name: '',
    host: '',
    port: '5432',
    database: '',
    user: '',
    sslmode: 'prefer',
    sslRootCert: '',
    env: 'development',
    readOnly: false,
    readOnlyTouched: false,
    statementTimeoutMs: '',
    notes: '',
    contacts: RUNBOOK_CONTACTS.map((c) => ({ ...c })),
    escalationLevel: '',
    password: '',
    ssh: emptySsh(),
    storage: emptyStorage(),
    tags: [],
  };
}

export function formFromProfile(p: Profile): ProfileForm {
  return {
    name: p.name,
    host: p.host,
    port: String(p.port),
    database: p.database,
    user: p.user,
    sslmode: p.sslmode,
    sslRootCert: p.sslRootCert ?? '',
    env: p.env,
    readOnly: p.readOnly,
    readOnlyTouched: true,
    statementTimeoutMs: p.statementTimeoutMs === null ? '' : String(p.statementTimeoutMs),
    notes: p.notes,
    contacts: p.contacts.length > 0 ? p.contacts.map((c: Contact) => ({ ...c })) : RUNBOOK_CONTACTS.map((c) => ({ ...c })),
    escalationLevel: p.escalationLevel === null ? '' : (String(p.escalationLevel) as '1' | '2' | '3'),
    password: '',
    ssh: sshFormFromProfile(p),
    storage: storageFormFromProfile(p),
    tags: [...p.tags],
  };
}

export function withEnv(form: ProfileForm, env: Environment): ProfileForm {
  return { ...form, env, readOnly: form.readOnlyTouched ? form.readOnly : env === 'production' };
}

/** Fills the form from an imported draft; fields the draft does not carry stay as they are. */
export function applyDraft(form: ProfileForm, draft: ProfileDraft): ProfileForm {
  const f = draft.fields;
  let next: ProfileForm = {
    ...form,
    ...(f.name !== undefined ? { name: f.name } : {}),
    ...(f.host !== undefined ? { host: f.host } : {}),
    ...(f.port !== undefined ? { port: String(f.port) } : {}),
    ...(f.database !== undefined ? { database: f.database } : {}),
    ...(f.user !== undefined ? { user: f.user } : {}),
    ...(f.sslmode !== undefined ? { sslmode: f.sslmode } : {}),
    ...(f.sslRootCert !== undefined ? { sslRootCert: f.sslRootCert ?? '' } : {}),
    ...(f.statementTimeoutMs !== undefined ? { statementTimeoutMs: f.statementTimeoutMs === null ? '' : String(f.statementTimeoutMs) } : {}),
    ...(f.notes !== undefined && f.notes !== '' ? { notes: f.notes } : {}),
    ...(draft.password !== undefined ? { password: draft.password } : {}),
    storage: applyStorageHint(form.storage, draft.storageHint),
  };
  if (f.env !== undefined) next = withEnv(next, f.env);
  if (f.readOnly !== undefined) next = { ...next, readOnly: f.readOnly, readOnlyTouched: true };
  if (!next.name && next.database) next = { ...next, name: next.database.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') };
  return next;
}

function parseWholeNumber(text: string): number | null | 'invalid' {
  const t = text.trim();
  if (t === '') return null;
  return /^\d+$/.test(t) ? Number(t) : 'invalid';
}

/**
 * The contract input, or field messages keyed like the server's ("port", "contacts.0.role").
 * Validated with the contract's own schema so the form and the core say the same thing.
 */
export function toInput(form: ProfileForm): {
  input: ProfileInput;
  errors: Record<string, string>;
  sshSecret?: string;
  jumpSecret?: string;
  storageSecret?: string;
} {
  const { ssh, errors: sshErrors, ...sshSecrets } = sshToInput(form.ssh);
  const { storage, ...storageSecret } = storageToInput(form.storage);
  const errors: Record<string, string> = { ...sshErrors };
  const port = parseWholeNumber(form.port);
  if (port === 'invalid') errors.port = 'port must be a whole number between 1 and 65535';
  const timeout = parseWholeNumber(form.statementTimeoutMs);
  if (timeout === 'invalid') errors.statementTimeoutMs = 'statement timeout must be a whole number of milliseconds (empty for none)';

  const contacts = form.contacts
    .map((c) => ({ role: c.role.trim(), name: c.name.trim(), contact: c.contact.trim(), availability: c.availability.trim() }))
    // A prefilled role nobody filled in is not a contact.
    .filter((c) => c.name !== '' || c.contact !== '' || (c.role !== '' && !RUNBOOK_CONTACTS.some((r) => r.role === c.role)));

  const input: ProfileInput = {
    name: form.name,
    host: form.host,
    port: typeof port === 'number' ? port : 5432,
    database: form.database,
    user: form.user,
    sslmode: form.sslmode,
    sslRootCert: form.sslRootCert.trim() === '' ? null : form.sslRootCert.trim(),
    env: form.env,
    readOnly: form.readOnly,
    statementTimeoutMs: typeof timeout === 'number' ? timeout : null,
    notes: form.notes,
    contacts,
    escalationLevel: form.escalationLevel === '' ? null : (Number(form.escalationLevel) as 1 | 2 | 3),
    ssh,
    storage,
    tags: form.tags,
  };
  const parsed = profileInputSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // One message for the tags field, whichever tag it is about.
      const key = issue.path[0] === 'tags' ? 'tags' : issue.path.map(String).join('.');
      if (!(key in errors)) errors[key] = issue.message;
    }
  }
  return { input, errors, ...sshSecrets, ...storageSecret };
}
