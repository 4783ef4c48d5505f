// The plan of one statement as a tree (EXPLAIN, issue #4): per node its own and total time,
// rows estimated against actual (a 10× misestimate is what usually explains a bad plan),
// loops and buffers, with the three nodes that cost the most marked so the eye goes there;
// beside it the same plan as EXPLAIN's plain text (plan-text.ts), to read or paste.
import { Badge, Box, Button, CopyButton, Group, Paper, Stack, Text, UnstyledButton } from '@mantine/core';
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { flattenPlan } from '@contract/plan-tree';
import type { ExplainResult, PlanNode } from '@contract/models';
import { formatCount } from '../../shared/format/numbers';
import { planText } from './plan-text';

/** A misestimate from this factor on is flagged: the planner's choices rest on row counts. */
const MISESTIMATE_FACTOR = 10;
const COSTLIEST_COUNT = 3;
const RANK_COLORS = ['red', 'orange', 'yellow'] as const;

/** id → rank (0 = costliest) of the nodes with the largest own share. */
function costliestRanks(root: PlanNode): Map<number, number> {
  const ranked = flattenPlan(root)
    .filter((n) => n.selfShare > 0)
    .sort((a, b) => b.selfShare - a.selfShare)
    .slice(0, COSTLIEST_COUNT);
  return new Map(ranked.map((n, i) => [n.id, i]));
}

/** Whether `id` is a descendant of the node `ancestorId`. */
function isBelow(root: PlanNode, ancestorId: number, id: number): boolean {
  const ancestor = flattenPlan(root).find((n) => n.id === ancestorId);
  return ancestor !== undefined && ancestor.id !== id && flattenPlan(ancestor).some((n) => n.id === id);
}

function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${Number(ms.toFixed(3))} ms`;
  if (ms < 100) return `${Number(ms.toFixed(2))} ms`;
  if (ms < 10_000) return `${Number(ms.toFixed(1))} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Row counts in a plan can be per-loop averages: shown as whole rows. */
function formatRows(n: number): string {
  return formatCount(Math.round(n));
}

function formatShare(share: number): string {
  const pct = share * 100;
  return pct >= 1 ? `${Math.round(pct)}%` : `${Number(pct.toFixed(1))}%`;
}

/**
 * The planner's estimate is per loop; the node's actual rows are over all loops. Compared
 * per loop, with both sides floored at one so "0 estimated, 1 actual" is not infinite.
 */
function misestimate(node: PlanNode): { factor: number; more: boolean } | null {
  if (node.actualRows === null || node.actualLoops === null || node.actualLoops === 0) return null;
  const estimated = Math.max(1, node.planRows * node.actualLoops);
  const actual = Math.max(1, node.actualRows);
  const more = actual > estimated;
  return { factor: more ? actual / estimated : estimated / actual, more };
}

function nodeTitle(node: PlanNode): string {
  return node.label === '' ? node.nodeType : `${node.nodeType} ${node.label}`;
}

function RowsFigure({ node }: { node: PlanNode }) {
  const loops = node.actualLoops ?? 1;
  const estimate =
    loops > 1 ? `${formatRows(node.planRows * loops)} est (${formatRows(node.planRows)} × ${formatRows(loops)} loops)` : `${formatRows(node.planRows)} est`;
  if (node.actualRows === null)
    return (
      <Text span size="xs">
        rows {formatRows(node.planRows)} est
      </Text>
    );
  const off = misestimate(node);
  const flagged = off !== null && off.factor >= MISESTIMATE_FACTOR;
  return (
    <Text span size="xs">
      rows {formatRows(node.actualRows)} actual / {estimate}
      {flagged ? (
        <Badge
          ml={6}
          size="xs"
          color="grape"
          variant="filled"
          radius="sm"
          tt="none"
          title={`Misestimate: ${Math.round(off.factor)}× ${off.more ? 'more' : 'fewer'} rows than the planner expected`}
        >
          {Math.round(off.factor)}× {off.more ? 'more' : 'fewer'} than estimated
        </Badge>
      ) : null}
    </Text>
  );
}

function NodeFigures({ node, analyzed }: { node: PlanNode; analyzed: boolean }) {
  const never = node.actualLoops === 0;
  return (
    <Group gap="md" wrap="wrap" c="dimmed" ff="monospace">
      {analyzed ? (
        never ? (
          <Badge size="xs" color="gray" variant="light" radius="sm" tt="none">
            never executed
          </Badge>
        ) : (
          <>
            <Text span size="xs" c="var(--mantine-color-text)" fw={600}>
              self {formatMs(node.selfMs)}
            </Text>
            <Text span size="xs">
              total {formatMs(node.actualTotalMs)}
            </Text>
          </>
        )
      ) : (
        <Text span size="xs">
          cost {node.startupCost}..{node.totalCost}
        </Text>
      )}
      <RowsFigure node={node} />
      {node.actualLoops !== null && node.actualLoops > 1 ? (
        <Text span size="xs">
          loops {formatRows(node.actualLoops)}
        </Text>
      ) : null}
      {node.sharedHitBlocks !== null || node.sharedReadBlocks !== null ? (
        <Text span size="xs" title="Shared buffers: pages found in memory (hit) and read from disk or the OS cache (read)">
          buffers hit {formatRows(node.sharedHitBlocks ?? 0)} · read {formatRows(node.sharedReadBlocks ?? 0)}
        </Text>
      ) : null}
    </Group>
  );
}

interface TreeState {
  analyzed: boolean;
  ranks: Map<number, number>;
  collapsed: ReadonlySet<number>;
  focusedId: number;
  toggle: (id: number) => void;
  focus: (id: number) => void;
}

function PlanItem({ node, level, parentId, tree }: { node: PlanNode; level: number; parentId: number | null; tree: TreeState }) {
  const rank = tree.ranks.get(node.id);
  const costly = rank !== undefined;
  const hasChildren = node.children.length > 0;
  const open = hasChildren && !tree.collapsed.has(node.id);
  const shareText = `${formatShare(node.selfShare)} of ${tree.analyzed ? 'time' : 'cost'}`;
  const label = `${nodeTitle(node)}${costly ? `, costliest #${rank + 1}, ${shareText}` : ''}`;
  const bar = costly ? `var(--mantine-color-${RANK_COLORS[rank] ?? 'yellow'}-6)` : 'transparent';
  return (
    <Box
      component="li"
      role="treeitem"
      aria-level={level}
      aria-expanded={hasChildren ? open : undefined}
      aria-label={label}
      tabIndex={tree.focusedId === node.id ? 0 : -1}
      data-node-id={node.id}
      data-parent-id={parentId ?? undefined}
      onFocus={(e) => {
        if (e.target === e.currentTarget) tree.focus(node.id);
      }}
      style={{ listStyle: 'none', outlineOffset: 2 }}
    >
      <Box
        title={costly ? `costliest #${rank + 1}: ${shareText}` : undefined}
        py={4}
        pl={8}
        pr={4}
        style={{ borderLeft: `4px solid ${bar}`, borderRadius: 4, background: costly ? `color-mix(in srgb, ${bar} 8%, transparent)` : undefined }}
      >
        <Group gap={6} wrap="nowrap" align="flex-start">
          <UnstyledButton
            tabIndex={-1}
            aria-hidden="true"
            onClick={() => hasChildren && tree.toggle(node.id)}
            w={16}
            style={{ visibility: hasChildren ? 'visible' : 'hidden', lineHeight: 1.4 }}
          >
            {open ? '▾' : '▸'}
          </UnstyledButton>
          <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
            <Group gap={6} wrap="wrap">
              <Text span fw={700} size="sm">
                {node.nodeType}
              </Text>
              {node.label !== '' ? (
                <Text span size="sm" ff="monospace">
                  {node.label}
                </Text>
              ) : null}
              {costly ? (
                <Badge size="sm" color={RANK_COLORS[rank] ?? 'yellow'} variant="filled" radius="sm" tt="none">
                  {shareText}
                </Badge>
              ) : null}
            </Group>
            <NodeFigures node={node} analyzed={tree.analyzed} />
            {node.details.length > 0 ? (
              <Stack gap={0}>
                {node.details.map((d, i) => (
                  <Text key={i} size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-word' }}>
                    {d.key}: {d.value}
                  </Text>
                ))}
              </Stack>
            ) : null}
          </Stack>
        </Group>
      </Box>
      {open ? (
        <Box component="ul" role="group" m={0} pl={22} style={{ borderLeft: '1px dashed var(--mantine-color-default-border)', marginLeft: 10 }}>
          {node.children.map((child) => (
            <PlanItem key={child.id} node={child} level={level + 1} parentId={node.id} tree={tree} />
          ))}
        </Box>
      ) : null}
    </Box>
  );
}

/** Collapse state and the focused row, reset when another plan arrives. */
function useTreeState(result: ExplainResult) {
  const [state, setState] = useState({ result, collapsed: new Set<number>() as ReadonlySet<number>, focusedId: 0 });
  if (state.result !== result) {
    const fresh = { result, collapsed: new Set<number>() as ReadonlySet<number>, focusedId: 0 };
    setState(fresh);
    return { state: fresh, setState };
  }
  return { state, setState };
}

export function PlanView({ result }: { result: ExplainResult }) {
  const { state, setState } = useTreeState(result);
  const treeRef = useRef<HTMLUListElement>(null);
  const ranks = costliestRanks(result.plan);
  const text = useMemo(() => planText(result.json), [result.json]);

  const setCollapsed = (id: number, value: boolean | 'toggle') =>
    setState((s) => {
      const collapse = value === 'toggle' ? !s.collapsed.has(id) : value;
      if (s.collapsed.has(id) === collapse) return s;
      const collapsed = new Set(s.collapsed);
      if (collapse) collapsed.add(id);
      else collapsed.delete(id);
      // A focused row hidden by the collapse would leave the tree without a Tab stop.
      const focusedId = collapse && isBelow(result.plan, id, s.focusedId) ? id : s.focusedId;
      return { ...s, collapsed, focusedId };
    });
  const toggle = (id: number) => setCollapsed(id, 'toggle');
  const focus = (id: number) => setState((s) => (s.focusedId === id ? s : { ...s, focusedId: id }));
  const tree: TreeState = { analyzed: result.analyzed, ranks, collapsed: state.collapsed, focusedId: state.focusedId, toggle, focus };

  const moveTo = (el: HTMLElement | null | undefined) => {
    if (!el) return;
    focus(Number(el.dataset.nodeId));
    el.focus();
  };

  // The WAI-ARIA tree pattern: arrows move between visible rows, right/left open and close.
  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const item = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    const root = treeRef.current;
    if (!item || !root) return;
    const visible = Array.from(root.querySelectorAll<HTMLElement>('[role="treeitem"]'));
    const at = visible.indexOf(item);
    const id = Number(item.dataset.nodeId);
    const expandable = item.getAttribute('aria-expanded') !== null;
    const open = item.getAttribute('aria-expanded') === 'true';
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        moveTo(visible[at + 1]);
        break;
      case 'ArrowUp':
        moveTo(visible[at - 1]);
        break;
      case 'Home':
        moveTo(visible[0]);
        break;
      case 'End':
        moveTo(visible[visible.length - 1]);
        break;
      case 'ArrowRight':
        if (expandable && !open) setCollapsed(id, false);
        else if (open) moveTo(visible[at + 1]);
        break;
      case 'ArrowLeft':
        if (open) setCollapsed(id, true);
        else if (item.dataset.parentId !== undefined) moveTo(root.querySelector<HTMLElement>(`[data-node-id="${item.dataset.parentId}"]`));
        break;
      case 'Enter':
      case ' ':
        if (expandable) toggle(id);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  };

  return (
    <Paper component="section" aria-label="Query plan" withBorder p="sm" style={{ flex: '1 1 0', minHeight: 0, display: 'flex', flexDirection: 'column' }}>
      <Group justify="space-between" mb="xs" wrap="wrap" style={{ flex: 'none' }}>
        <Group gap="xs" wrap="wrap">
          <Badge variant="light" color={result.analyzed ? 'blue' : 'gray'} radius="sm">
            {result.analyzed ? 'ANALYZE' : 'estimate only'}
          </Badge>
          {result.rolledBack ? (
            <Badge
              variant="filled"
              color="orange"
              radius="sm"
              tt="none"
              title="The statement really ran, inside a transaction (or savepoint) that was then rolled back: its changes were discarded"
            >
              rolled back
            </Badge>
          ) : null}
          <Text size="sm" c="dimmed">
            {result.planningMs !== null ? `Planning ${formatMs(result.planningMs)}` : 'Planning time not measured'}
            {result.executionMs !== null ? ` · Execution ${formatMs(result.executionMs)}` : result.analyzed ? '' : ' · not executed'}
          </Text>
        </Group>
        <Group gap="xs">
          <CopyButton value={text} timeout={1500}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" color={copied ? 'teal' : undefined} onClick={copy}>
                {copied ? 'Copied' : 'Copy text'}
              </Button>
            )}
          </CopyButton>
          <CopyButton value={result.json} timeout={1500}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" color={copied ? 'teal' : undefined} onClick={copy}>
                {copied ? 'Copied' : 'Copy JSON'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Group>
      <Group align="stretch" gap="sm" wrap="nowrap" style={{ flex: '1 1 0', minHeight: 0 }}>
        <Box
          component="ul"
          role="tree"
          aria-label="Plan tree"
          ref={treeRef}
          onKeyDown={onKeyDown}
          m={0}
          p={0}
          style={{ flex: '1 1 0', minWidth: 0, overflow: 'auto' }}
        >
          <PlanItem node={result.plan} level={1} parentId={null} tree={tree} />
        </Box>
        <Box
          component="pre"
          aria-label="Plan as text"
          tabIndex={0}
          m={0}
          p="xs"
          fz={12}
          ff="monospace"
          style={{
            flex: '1 1 0',
            minWidth: 0,
            overflow: 'auto',
            whiteSpace: 'pre',
            border: '1px solid var(--mantine-color-default-border)',
            borderRadius: 'var(--mantine-radius-sm)',
            background: 'var(--mantine-color-default)',
          }}
        >
          {text}
        </Box>
      </Group>
    </Paper>
  );
}
