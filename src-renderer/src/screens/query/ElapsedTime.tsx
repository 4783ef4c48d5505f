// How long the running statement has been going, ticking while it runs. Its own component
// so the tick re-renders a few characters, not the console.
import { Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { formatElapsed } from './layout-model';

const TICK_MS = 100;

export function ElapsedTime({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(performance.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <Text span size="sm" ff="monospace" fw={600} aria-label="Elapsed time" role="timer" style={{ fontVariantNumeric: 'tabular-nums' }}>
      {formatElapsed(now - since)}
    </Text>
  );
}
