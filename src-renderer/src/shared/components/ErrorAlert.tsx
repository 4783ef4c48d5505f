import { Alert, Code, Text } from '@mantine/core';
import type { ShownError } from '../state/errors';
import { IconAlert } from './icons';

/** A failure, in words, with its code for the record. */
export function ErrorAlert({ error, title = 'That did not work', onClose }: { error: ShownError; title?: string; onClose?: () => void }) {
  return (
    <Alert
      role="alert"
      color="red"
      variant="light"
      title={title}
      icon={<IconAlert />}
      withCloseButton={Boolean(onClose)}
      closeButtonLabel="Dismiss error"
      {...(onClose ? { onClose } : {})}
    >
      <Text size="sm">{error.message}</Text>
      <Text size="xs" c="dimmed" mt={4}>
        Error code <Code>{error.code}</Code>
      </Text>
    </Alert>
  );
}
