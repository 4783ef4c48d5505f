// A screen that fills the window below the header instead of growing the page: the frame
// (app/Shell.tsx) sets SCREEN_HEIGHT_VAR on its main area to the window's height minus the
// header and the main area's padding, and this box takes exactly that height, as a flex
// column whose children can split it (an editor over a results grid, a tree beside a detail
// pane) and scroll inside themselves. Ordinary screens don't use it: they grow, and the page
// scrolls vertically as a document would.
import { Box, type BoxProps } from '@mantine/core';
import type { CSSProperties, ReactNode } from 'react';

/** The CSS variable holding the height a screen may fill (set by the frame). */
export const SCREEN_HEIGHT_VAR = '--ops-screen-height';

export const fullHeightStyle: CSSProperties = {
  height: `var(${SCREEN_HEIGHT_VAR}, calc(100dvh - 120px))`,
  display: 'flex',
  flexDirection: 'column',
  minHeight: 0,
  minWidth: 0,
  overflow: 'hidden',
};

export function FullHeightScreen({ children, style, ...rest }: BoxProps & { children: ReactNode; style?: CSSProperties; 'aria-label'?: string }) {
  return (
    <Box {...rest} style={{ ...fullHeightStyle, ...style }}>
      {children}
    </Box>
  );
}
