// Which profiles a fleet command runs on: `--tag` (repeatable: a profile carrying any of the
// tags) or `--profiles a,b,c` (names, as the CLI addresses profiles: case-insensitive). One
// way at a time, so a typo cannot silently widen or narrow the run.
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import { plural } from '../platform/text/plural';

export interface FleetSelection {
  /** Profiles carrying any of these tags (lowercased like stored tags). */
  tags?: readonly string[];
  /** Profiles by name; every name must exist. */
  profiles?: readonly string[];
}

function quoted(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}

/** The selected profiles, in the store's order (by name) for tags and in the given order for names; never empty. */
export function selectProfiles(repo: { list(): Profile[] }, selection: FleetSelection): Profile[] {
  const tags = [...new Set((selection.tags ?? []).map((t) => t.trim().toLowerCase()).filter((t) => t !== ''))];
  const names = [...new Set((selection.profiles ?? []).map((n) => n.trim()).filter((n) => n !== ''))];
  if (tags.length > 0 && names.length > 0) {
    throw new OpsError('INVALID_INPUT', 'Select the targets by tag or by profile names, not both.', {
      fields: [{ field: 'profiles', message: 'give either tags or profile names' }],
    });
  }
  if (tags.length === 0 && names.length === 0) {
    throw new OpsError('INVALID_INPUT', 'No targets selected: give a tag (e.g. prod) or a list of profile names.', {
      fields: [{ field: 'tags', message: 'a tag or profile names are required' }],
    });
  }
  const all = repo.list();
  if (names.length > 0) {
    const byName = new Map(all.map((p) => [p.name.toLowerCase(), p]));
    const missing = names.filter((n) => !byName.has(n.toLowerCase()));
    if (missing.length > 0) {
      throw new OpsError('INVALID_INPUT', `No ${missing.length === 1 ? 'profile' : 'profiles'} named ${quoted(missing)} (see: ops-console profile list).`, {
        fields: [{ field: 'profiles', message: `unknown: ${missing.join(', ')}` }],
      });
    }
    // The same profile named twice (different case) runs once.
    return [...new Map(names.map((n) => byName.get(n.toLowerCase())!).map((p) => [p.id, p])).values()];
  }
  const chosen = all.filter((p) => p.tags.some((t) => tags.includes(t)));
  if (chosen.length === 0) {
    const inUse = [...new Set(all.flatMap((p) => p.tags))].sort();
    const hint = inUse.length > 0 ? `Tags in use: ${inUse.join(', ')}.` : 'No profile has tags yet: add them with `ops-console profile edit NAME --tag T`.';
    throw new OpsError('NOT_FOUND', `No profile is tagged ${tags.join(' or ')} (${plural(all.length, 'profile')} in all). ${hint}`);
  }
  return chosen;
}
