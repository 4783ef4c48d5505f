// The open consoles, one per profile, side by side as tabs: each shows its profile's name
// and its environment's colour (the band's), so a sandbox console and a production one can
// be open at once without mistaking one for the other. Choosing a tab makes its profile the
// active one (the header's band then says the same); "+" opens another profile's console.
import { ActionIcon, Badge, CloseButton, Group, Menu, Text, Title, Tooltip, UnstyledButton } from '@mantine/core';
import type { Profile } from '@contract/models';
import { IconLock } from '../../shared/components/icons';
import { ENV_STYLES } from '../../shared/theme';

export interface ConsoleStripProps {
  consoles: Profile[];
  /** Per console: a statement running, a transaction open (shown on its tab, seen from any console). */
  statuses: Record<string, { running: boolean; transactionOpen: boolean }>;
  activeId: string;
  /** Profiles without a console yet, offered by "+". */
  others: Profile[];
  onSelect: (profileId: string) => void;
  onOpen: (profileId: string) => void;
  onClose: (profileId: string) => void;
}

function connection(profile: Profile): string {
  return `${profile.user}@${profile.host}:${profile.port}/${profile.database}`;
}

export function ConsoleStrip({ consoles, statuses, activeId, others, onSelect, onOpen, onClose }: ConsoleStripProps) {
  return (
    <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
      <Title order={2} size="h4" style={{ flex: 'none' }}>
        Query
      </Title>
      <Group gap={4} wrap="nowrap" role="tablist" aria-label="Consoles" style={{ minWidth: 0, overflowX: 'auto' }}>
        {consoles.map((profile) => {
          const selected = profile.id === activeId;
          const style = ENV_STYLES[profile.env];
          const colour = `var(--mantine-color-${style.color}-filled)`;
          return (
            <Group
              key={profile.id}
              gap={2}
              wrap="nowrap"
              pl={6}
              pr={2}
              data-env={profile.env}
              style={{
                flex: 'none',
                borderTop: `4px solid ${colour}`,
                borderRadius: 'var(--mantine-radius-sm)',
                background: selected ? 'var(--mantine-color-default-hover)' : undefined,
                outline: selected ? `1px solid ${colour}` : '1px solid var(--mantine-color-default-border)',
              }}
            >
              <UnstyledButton
                role="tab"
                aria-selected={selected}
                aria-label={`Console ${profile.name} (${style.label})`}
                title={`${profile.name}: ${connection(profile)} · ${style.label}${profile.readOnly ? ' · read-only' : ''}`}
                onClick={() => onSelect(profile.id)}
                py={2}
              >
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" fw={selected ? 700 : 500} style={{ maxWidth: '12rem', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                    {profile.name}
                  </Text>
                  <Text size="10px" fw={800} c={colour} style={{ letterSpacing: '0.08em' }}>
                    {style.label}
                  </Text>
                  {profile.readOnly ? <IconLock size={12} /> : null}
                  {statuses[profile.id]?.running ? (
                    <Badge size="xs" variant="light" color="blue" radius="sm" tt="none">
                      running
                    </Badge>
                  ) : null}
                  {statuses[profile.id]?.transactionOpen ? (
                    <Badge size="xs" variant="filled" color="yellow" radius="sm" tt="none" title="A transaction is open on this console's session">
                      transaction open
                    </Badge>
                  ) : null}
                </Group>
              </UnstyledButton>
              {consoles.length > 1 ? <CloseButton size="xs" aria-label={`Close console ${profile.name}`} onClick={() => onClose(profile.id)} /> : null}
            </Group>
          );
        })}
      </Group>
      {others.length > 0 ? (
        <Menu position="bottom-start" withinPortal>
          <Menu.Target>
            <Tooltip label="Open a console on another profile (side by side with this one)">
              <ActionIcon variant="subtle" size="sm" aria-label="Open a console on another profile">
                +
              </ActionIcon>
            </Tooltip>
          </Menu.Target>
          <Menu.Dropdown>
            {others.map((p) => (
              <Menu.Item key={p.id} onClick={() => onOpen(p.id)}>
                {p.name} · {ENV_STYLES[p.env].label}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      ) : null}
    </Group>
  );
}
