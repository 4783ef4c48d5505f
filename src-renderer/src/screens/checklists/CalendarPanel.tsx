// STUB (issue #5, being written): the maintenance calendar of a profile.
import type { Profile } from '../../../../src-main/contract/models';

export interface CalendarPanelProps {
  profile: Profile;
  /** Start a run of this procedure (its id, e.g. "maintenance.weekly" or "daily.morning"). */
  onStart: (procedureId: string) => void;
  /** Bumped by the screen after a sign-off so the panel reloads. */
  refreshKey: number;
}

export function CalendarPanel(_props: CalendarPanelProps) {
  return null;
}
