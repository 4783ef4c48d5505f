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
export { FileStreamWriter, LocalDestination, localArtifact, publishWithoutReplacing, syncDirectory } from './local';

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
