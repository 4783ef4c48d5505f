// The one way a production action is confirmed in the UI: type the profile's name.
// Shared so every destructive dialog asks the same question in the same words.
import { Alert, TextInput } from '@mantine/core';
import { IconAlert } from './icons';

export function TypedNameConfirm({ name, value, onChange }: { name: string; value: string; onChange: (value: string) => void }) {
  return (
    <Alert color="red" variant="light" icon={<IconAlert />} title="This is a production profile">
      <TextInput
        label={`Type the profile name (${name}) to confirm`}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        autoComplete="off"
        spellCheck={false}
        data-autofocus
      />
    </Alert>
  );
}
