// Numbered migrations in one ordered list, one file each (NNN-short-name.ts). Migration N
// brings a store from user_version N-1 to N inside one transaction. Never edit a migration
// that has shipped; add the next number: a new NNN file, its entry at the end of this list
// and its test (tests/unit/store-migrations/NNN-short-name.test.ts, same name).
import { migration001 } from './001-profiles-secrets-settings';
import { migration002 } from './002-audit-trail';
import { migration003 } from './003-ssh-secrets-per-kind';
import { migration004 } from './004-query-console';
import { migration005 } from './005-checklist-runs';
import { migration006 } from './006-thresholds-runbooks';
import { migration007 } from './007-backup-catalog';
import { migration008 } from './008-restores-drills';
import { migration009 } from './009-metric-snapshots';
import { migration010 } from './010-backup-location';
import { migration011 } from './011-profile-storage';
import { migration012 } from './012-offsite-destinations';
import { migration013 } from './013-storage-snapshots';
import { migration014 } from './014-audit-outcomes';
import { migration015 } from './015-profile-elevation';
import { migration016 } from './016-offsite-direct';
import { migration017 } from './017-profile-tags';
import { migration018 } from './018-team-outbox';
import { migration019 } from './019-relation-size-snapshots';
import { migration020 } from './020-audit-head-in-entries';
import type { Migration } from './migration';

export type { Migration } from './migration';

export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
  migration013,
  migration014,
  migration015,
  migration016,
  migration017,
  migration018,
  migration019,
  migration020,
];

export const LATEST_VERSION = MIGRATIONS.length === 0 ? 0 : MIGRATIONS[MIGRATIONS.length - 1]!.version;
