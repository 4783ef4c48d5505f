// STUB (issue #5, being written): the profile's alert thresholds, editable.
import type { Profile } from '../../../../src-main/contract/models';

export function ThresholdsPanel(_props: { profile: Profile }) {
  return null;
}
