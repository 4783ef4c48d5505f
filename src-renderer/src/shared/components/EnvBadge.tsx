import { Badge, type BadgeProps } from '@mantine/core';
import type { Environment } from '@contract/models';
import { ENV_STYLES } from '../theme';

/** The environment as a badge; the same colour as the band so the two never disagree. */
export function EnvBadge({ env, ...rest }: { env: Environment } & Omit<BadgeProps, 'color'>) {
  const style = ENV_STYLES[env];
  return (
    <Badge color={style.color} variant={env === 'production' ? 'filled' : 'light'} radius="sm" {...rest}>
      {style.label}
    </Badge>
  );
}

export function ReadOnlyBadge({ readOnly }: { readOnly: boolean }) {
  return readOnly ? (
    <Badge color="gray" variant="outline" radius="sm">
      read-only
    </Badge>
  ) : (
    <Badge color="yellow" variant="outline" radius="sm">
      read-write
    </Badge>
  );
}
