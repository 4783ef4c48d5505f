// The schema browser's state: the tree (reloaded when the system-schema toggle changes), the
// open nodes, each opened group's pages (a group loads when first opened, 500 rows a page,
// reloaded on the server whenever the name filter changes), the selected object and its
// details. Only what is open is ever fetched.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SchemaGroup, SchemaTree } from '@contract/schema';
import { api } from '../../shared/api/client';
import type { PasswordState } from '../../shared/hooks/usePassword';
import { toShownError, type ShownError } from '../../shared/state/errors';
import { buildRows, groupKey, type GroupState, type TreeRow } from './tree-model';

export const PAGE_SIZE = 500;
const FILTER_DEBOUNCE_MS = 250;

export interface SchemaBrowser {
  tree: SchemaTree | null;
  treeError: ShownError | null;
  loadingTree: boolean;
  rows: TreeRow[];
  showSystem: boolean;
  setShowSystem: (on: boolean) => void;
  filter: string;
  setFilter: (text: string) => void;
  toggle: (key: string, open: boolean) => void;
  loadMore: (schemaOid: number, group: SchemaGroup) => void;
  reload: () => void;
}

export function useSchemaBrowser(profileId: string, auth: PasswordState): SchemaBrowser {
  const [tree, setTree] = useState<SchemaTree | null>(null);
  const [treeError, setTreeError] = useState<ShownError | null>(null);
  const [loadingTree, setLoadingTree] = useState(true);
  const [showSystem, setShowSystem] = useState(false);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [groups, setGroups] = useState<ReadonlyMap<string, GroupState>>(new Map());
  const [filter, setFilterText] = useState('');
  const [appliedFilter, setAppliedFilter] = useState('');
  const [generation, setGeneration] = useState(0);
  const { password, noteError, passwordWorked, needsPassword } = auth;
  // The latest request per group wins: a slow page for an old filter must not land on a new one.
  const tickets = useRef(new Map<string, number>());

  useEffect(() => {
    if (needsPassword) return undefined;
    let live = true;
    setLoadingTree(true);
    api
      .getSchemaTree({ profileId, showSystem, ...(password !== undefined ? { password } : {}) })
      .then((t) => {
        if (!live) return;
        passwordWorked();
        setTree(t);
        setTreeError(null);
      })
      .catch((err: unknown) => {
        if (!live) return;
        noteError(err);
        setTreeError(toShownError(err));
      })
      .finally(() => live && setLoadingTree(false));
    return () => {
      live = false;
    };
  }, [profileId, showSystem, password, needsPassword, noteError, passwordWorked, generation]);

  const fetchPage = useCallback(
    (schemaOid: number, group: SchemaGroup, offset: number, filterText: string) => {
      const key = groupKey(schemaOid, group);
      const ticket = (tickets.current.get(key) ?? 0) + 1;
      tickets.current.set(key, ticket);
      setGroups((m) => {
        const next = new Map(m);
        const prev = offset === 0 ? undefined : m.get(key);
        next.set(key, { objects: prev?.objects ?? m.get(key)?.objects ?? [], total: prev?.total ?? m.get(key)?.total ?? 0, loading: true, error: null });
        return next;
      });
      api
        .listSchemaObjects({ profileId, schemaOid, group, filter: filterText, offset, limit: PAGE_SIZE, ...(password !== undefined ? { password } : {}) })
        .then((page) => {
          if (tickets.current.get(key) !== ticket) return;
          setGroups((m) => {
            const next = new Map(m);
            const before = offset === 0 ? [] : (m.get(key)?.objects ?? []);
            next.set(key, { objects: [...before, ...page.objects], total: page.total, loading: false, error: null });
            return next;
          });
        })
        .catch((err: unknown) => {
          if (tickets.current.get(key) !== ticket) return;
          noteError(err);
          setGroups((m) => {
            const next = new Map(m);
            next.set(key, {
              objects: offset === 0 ? [] : (m.get(key)?.objects ?? []),
              total: m.get(key)?.total ?? 0,
              loading: false,
              error: toShownError(err).message,
            });
            return next;
          });
        });
    },
    [profileId, password, noteError],
  );

  const setFilter = useCallback((text: string) => setFilterText(text), []);
  useEffect(() => {
    const timer = setTimeout(() => setAppliedFilter(filter.trim()), FILTER_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [filter]);

  // A new filter reloads every opened group from its first page.
  const openRef = useRef(open);
  openRef.current = open;
  useEffect(() => {
    for (const key of openRef.current) {
      const m = /^g:(\d+):(.+)$/.exec(key);
      if (m) fetchPage(Number(m[1]), m[2] as SchemaGroup, 0, appliedFilter);
    }
  }, [appliedFilter, fetchPage]);

  const toggle = useCallback(
    (key: string, nowOpen: boolean) => {
      setOpen((s) => {
        const next = new Set(s);
        if (nowOpen) next.add(key);
        else next.delete(key);
        return next;
      });
      const m = /^g:(\d+):(.+)$/.exec(key);
      if (nowOpen && m) fetchPage(Number(m[1]), m[2] as SchemaGroup, 0, appliedFilter);
    },
    [fetchPage, appliedFilter],
  );

  const loadMore = useCallback(
    (schemaOid: number, group: SchemaGroup) => {
      const loaded = groups.get(groupKey(schemaOid, group))?.objects.length ?? 0;
      fetchPage(schemaOid, group, loaded, appliedFilter);
    },
    [groups, fetchPage, appliedFilter],
  );

  const reload = useCallback(() => {
    setGroups(new Map());
    setOpen(new Set());
    setGeneration((g) => g + 1);
  }, []);

  const rows = useMemo(() => (tree ? buildRows(tree, { open, groups, filter: appliedFilter }) : []), [tree, open, groups, appliedFilter]);

  return { tree, treeError, loadingTree, rows, showSystem, setShowSystem, filter, setFilter, toggle, loadMore, reload };
}
