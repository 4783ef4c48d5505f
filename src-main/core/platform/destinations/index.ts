// Destinations: where artifacts (backups, exports) are written and read back. A stored
// location string (`file:///abs/path`) names the destination and the artifact in it;
// locate() turns it back into both. A new kind of destination (S3-compatible storage,
// Supabase Storage) adds a variant to ArtifactLocation, a Destination implementation beside
// local.ts, and a case here.
import { OpsError } from '../../../contract/errors';
import { formatLocation, parseLocation, type ArtifactLocation, type Destination } from './destination';
import { localArtifact } from './local';

export type { ArtifactLocation, ArtifactShape, ArtifactStat, Destination, PartialWriter } from './destination';
export { formatLocation, parseLocation } from './destination';
export { FileStreamWriter, LocalDestination, localArtifact, publishWithoutReplacing } from './local';

export interface LocatedArtifact {
  destination: Destination;
  /** The artifact's name in the destination. */
  name: string;
}

/** The destination and name a location (object or stored string) points at. */
export function locate(location: ArtifactLocation | string): LocatedArtifact {
  const parsed = typeof location === 'string' ? parseLocation(location) : location;
  if (parsed === null) throw new OpsError('INVALID_INPUT', `${String(location)} is not a location this version of the app can read.`, { field: 'location' });
  return localArtifact(parsed.path);
}

/** The stored form of a local path: `file://` + the path (what migration 10 writes for old rows). */
export function localLocation(absolutePath: string): string {
  return formatLocation({ destination: 'local', path: absolutePath });
}

/** How messages name an artifact: its path when it has one, else its location. */
export function artifactText(destination: Destination, name: string): string {
  return destination.localPath(name) ?? formatLocation(destination.location(name));
}

/**
 * The path pg_dump, pg_restore or psql opens. Only destinations with local paths exist in
 * this version; a remote one will stage the artifact in a local folder before a tool reads
 * it (and write to such a folder, uploading before publish), and this refusal marks the
 * places that must then stage.
 */
export function toolPath(destination: Destination, name: string): string {
  const local = destination.localPath(name);
  if (local === null)
    throw new OpsError('INTERNAL', `${artifactText(destination, name)} has no local path: it must be staged locally for the PostgreSQL tools.`);
  return local;
}
