// The row-limit notice names where the fetch stopped from the core's answer, not from the rows
// that have crossed the event stream so far: the answer often arrives first (CI saw "Stopped at
// 151,500 rows" for a 200,000-row fetch), and the grid fills in the rest as they arrive.
import { MantineProvider } from '@mantine/core';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { StatementResult } from '../../src-main/contract/query';
import { RowStore } from '../../src-renderer/src/screens/query/row-store';
import type { ResultView } from '../../src-renderer/src/screens/query/live-results';
import { LimitNotice, type MoreRows } from '../../src-renderer/src/screens/query/ResultsPanel';

const more: MoreRows = { limit: 200_000, fetching: false, onFetchMore: () => undefined, onClose: () => undefined };

function view(received: number, expected: number | null, truncated: boolean): ResultView {
  const result: StatementResult = {
    index: 0,
    command: 'SELECT',
    columns: [{ name: 'g', type: 'int4' }],
    rows: [],
    rowCount: expected,
    truncated,
    durationMs: 5,
    cancelled: false,
    resumable: true,
  };
  return { index: 0, command: 'SELECT', columns: result.columns, rows: new RowStore(), received, expected, running: false, stalled: false, result };
}

const text = (v: ResultView) =>
  renderToStaticMarkup(createElement(MantineProvider, null, createElement(LimitNotice, { view: v, more }))).replace(/<[^>]+>/g, '');

describe('LimitNotice', () => {
  it("says the core's count while the last rows are still arriving", () => {
    expect(text(view(151_500, 200_000, true))).toContain('Stopped at 200,000 rows (the limit is 200,000 a fetch)');
    expect(text(view(151_500, 200_000, true))).toContain('Fetch 200,000 more');
  });

  it('falls back to the rows received when the answer gave no count, and shows nothing for a result that was not cut', () => {
    expect(text(view(1_234, null, true))).toContain('Stopped at 1,234 rows');
    expect(text(view(10, 10, false))).not.toContain('Stopped at');
  });
});
