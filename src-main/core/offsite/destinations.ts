// The destinations table (migration 12): rows ↔ the contract's OffsiteDestination, lookup
// by id or name, and the ObjectStoreConfig a job uses (with the secret, for its length only).
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { OpsError } from '../../contract/errors';
import type { OffsiteDestination } from '../../contract/offsite';
import { keyId, parseKey } from '../platform/crypto';
import { checkBucketName, normaliseEndpoint, type ObjectStoreConfig } from '../platform/objectstore';
import type { OffsiteSecrets } from './secrets';

interface Row {
  id: string;
  name: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  access_key_id: string;
  force_path_style: number;
  encrypt: number;
  key_id: string | null;
  retention_json: string | null;
  created_at: string;
  updated_at: string;
}

export interface DestinationSettings {
  name: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  forcePathStyle: boolean;
}

export class DestinationRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly secrets: OffsiteSecrets,
  ) {}

  list(): OffsiteDestination[] {
    return (this.db.prepare('SELECT * FROM offsite_destinations ORDER BY name').all() as Row[]).map((r) => this.toContract(r));
  }

  /** By id, else by name; NOT_FOUND naming what was asked. */
  get(idOrName: string): OffsiteDestination {
    const row = this.db
      .prepare('SELECT * FROM offsite_destinations WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1')
      .get(idOrName, idOrName, idOrName) as Row | undefined;
    if (!row) throw new OpsError('NOT_FOUND', `There is no offsite destination ${idOrName}.`, { id: idOrName });
    return this.toContract(row);
  }

  create(settings: DestinationSettings, encrypt: boolean, keyId: string | null): OffsiteDestination {
    const s = checked(settings);
    this.refuseTakenName(s.name, null);
    const id = crypto.randomUUID();
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO offsite_destinations (id, name, endpoint, region, bucket, prefix, access_key_id, force_path_style, encrypt, key_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, s.name, s.endpoint, s.region, s.bucket, s.prefix, s.accessKeyId, s.forcePathStyle ? 1 : 0, encrypt ? 1 : 0, keyId, now, now);
    return this.get(id);
  }

  update(id: string, patch: Partial<DestinationSettings>): OffsiteDestination {
    const current = this.get(id);
    const s = checked({ ...current, ...definedOnly(patch) });
    this.refuseTakenName(s.name, current.id);
    this.db
      .prepare(
        `UPDATE offsite_destinations SET name = ?, endpoint = ?, region = ?, bucket = ?, prefix = ?, access_key_id = ?, force_path_style = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(s.name, s.endpoint, s.region, s.bucket, s.prefix, s.accessKeyId, s.forcePathStyle ? 1 : 0, new Date().toISOString(), current.id);
    return this.get(current.id);
  }

  setRetention(id: string, policy: OffsiteDestination['retention']): OffsiteDestination {
    const current = this.get(id);
    this.db
      .prepare('UPDATE offsite_destinations SET retention_json = ?, updated_at = ? WHERE id = ?')
      .run(policy === null ? null : JSON.stringify(policy), new Date().toISOString(), current.id);
    return this.get(current.id);
  }

  remove(id: string): OffsiteDestination {
    const current = this.get(id);
    this.secrets.delete(current.id, 'access');
    this.secrets.delete(current.id, 'encryption');
    this.db.prepare('DELETE FROM offsite_destinations WHERE id = ?').run(current.id);
    return current;
  }

  /** The client config for one job; PASSWORD_REQUIRED when no secret access key is at hand. */
  storeConfig(d: OffsiteDestination): ObjectStoreConfig {
    const secretAccessKey = this.secrets.get(d.id, 'access');
    if (secretAccessKey === null)
      throw new OpsError(
        'PASSWORD_REQUIRED',
        `No secret access key for offsite destination ${d.name} (${d.endpoint}): save it with the destination or set OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY.`,
        { secret: 'storage' },
      );
    return { endpoint: d.endpoint, region: d.region, accessKeyId: d.accessKeyId, secretAccessKey, forcePathStyle: d.forcePathStyle };
  }

  /**
   * The encryption key of an encrypting destination, checked against its keyId before any
   * byte is encrypted: PASSWORD_REQUIRED when none is at hand (saved, or the CLI's
   * OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY), DECRYPT_FAILED 'wrong-key' for another key.
   */
  encryptionKey(d: OffsiteDestination): Buffer {
    const text = this.secrets.get(d.id, 'encryption');
    if (text === null)
      throw new OpsError(
        'PASSWORD_REQUIRED',
        `No encryption key for offsite destination ${d.name} (key ${d.keyId ?? '?'}): save it with the destination or set OPS_CONSOLE_OFFSITE_ENCRYPTION_KEY.`,
        { secret: 'encryption' },
      );
    return checkedKey(d, text);
  }

  /** Saves the key of an encrypting destination (it must be the key its keyId names). */
  saveEncryptionKey(d: OffsiteDestination, text: string): void {
    if (!d.encrypt) throw new OpsError('INVALID_INPUT', `Offsite destination ${d.name} does not encrypt copies.`, { field: 'encryptionKey' });
    checkedKey(d, text);
    this.secrets.set(d.id, 'encryption', text.trim());
  }

  private refuseTakenName(name: string, exceptId: string | null): void {
    const other = this.db.prepare('SELECT id FROM offsite_destinations WHERE name = ?').get(name) as { id: string } | undefined;
    if (other && other.id !== exceptId) throw new OpsError('CONFLICT', `An offsite destination named ${name} already exists.`);
  }

  private toContract(r: Row): OffsiteDestination {
    return {
      id: r.id,
      name: r.name,
      endpoint: r.endpoint,
      region: r.region,
      bucket: r.bucket,
      prefix: r.prefix,
      accessKeyId: r.access_key_id,
      forcePathStyle: r.force_path_style === 1,
      encrypt: r.encrypt === 1,
      keyId: r.key_id,
      hasSecret: this.secrets.get(r.id, 'access') !== null,
      retention: r.retention_json === null ? null : (JSON.parse(r.retention_json) as OffsiteDestination['retention']),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}

function checkedKey(d: OffsiteDestination, text: string): Buffer {
  const key = parseKey(text);
  const given = keyId(key);
  // Copies are named by the destination's key: encrypting with another would leave copies its
  // restores cannot read, so refuse before anything is uploaded.
  if (given !== d.keyId)
    throw new OpsError('DECRYPT_FAILED', `Offsite destination ${d.name} encrypts with key ${d.keyId ?? '?'}, not with the key given (${given}).`, {
      reason: 'wrong-key',
      ...(d.keyId !== null ? { keyId: d.keyId } : {}),
      expectedKeyId: given,
    });
  return key;
}

function checked(s: DestinationSettings): DestinationSettings {
  return { ...s, endpoint: normaliseEndpoint(s.endpoint), bucket: checkBucketName(s.bucket) };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
