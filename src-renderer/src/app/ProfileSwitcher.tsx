import { Select } from '@mantine/core';
import { useAppState } from '../shared/state/app-state';
import { ENV_STYLES } from '../shared/theme';

/** Which profile every screen works against. Remembered across restarts. */
export function ProfileSwitcher() {
  const { profiles, active, setActiveId } = useAppState();
  const data = profiles.map((p) => ({ value: p.id, label: `${p.name} — ${ENV_STYLES[p.env].label}` }));
  return (
    <Select
      aria-label="Active profile"
      placeholder={profiles.length === 0 ? 'No profiles yet' : 'Choose a profile'}
      data={data}
      value={active?.id ?? null}
      onChange={(id) => setActiveId(id)}
      disabled={profiles.length === 0}
      allowDeselect={false}
      searchable
      nothingFoundMessage="No profile by that name"
      w={300}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
