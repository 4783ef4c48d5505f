// The SQL editor: CodeMirror 6 with PostgreSQL highlighting, catalog autocomplete, and the
// run keys. The document lives in CodeMirror; `value` only pushes text in when it differs
// from what the editor last reported (a tab switch, an example), so typing never resets it.
import { indentWithTab } from '@codemirror/commands';
import { defaultHighlightStyle, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { Annotation, Compartment, EditorState, Prec, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, keymap, placeholder as placeholderText, type DecorationSet } from '@codemirror/view';
import { useComputedColorScheme } from '@mantine/core';
import { closeCompletion } from '@codemirror/autocomplete';
import { basicSetup } from 'codemirror';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import type { QueryCatalog } from '@contract/models';
import type { EditorRange, RunTarget } from './query-tools';
import { sqlLanguage } from './sql-completion';
import { scriptTarget, statementTarget } from './statement-split';

export interface SqlEditorHandle {
  focus(): void;
  getText(): string;
  /** Current main selection (from ≤ to; equal when it is just a cursor). */
  getSelection(): { from: number; to: number };
  /** Selects [start, end), scrolls it into view and focuses the editor. */
  select(start: number, end: number): void;
  /** Closes the completion list (before a run or an explain shows its results). */
  closeCompletion(): void;
}

export interface SqlEditorProps {
  /** The text to show. Pushed into the editor only when it differs from what the editor last reported. */
  value: string;
  onChange: (text: string) => void;
  /** Ctrl/Cmd+Enter: the selection, else the statement under the cursor. */
  onRun: (target: RunTarget) => void;
  /** Shift+Ctrl/Cmd+Enter: the selection, else the whole script. */
  onRunScript: (target: RunTarget) => void;
  /** Where the last error points: selected, underlined in red, scrolled into view. */
  errorAt: EditorRange | null;
  /** Autocomplete source; null offers keywords only. */
  catalog: QueryCatalog | null;
  readOnly?: boolean;
  /**
   * Which document is shown (the editor tab's id). Each one keeps its own undo history and
   * selection; changing it swaps documents instead of replacing the text as an edit.
   */
  docId?: string;
  placeholder?: string;
  minHeight?: string;
  maxHeight?: string;
  /** Fill the parent's height (the console's editor pane) and scroll inside it. */
  fill?: boolean;
}

/** Marks a change that came from `value`, so it is not echoed back through onChange. */
const fromProps = Annotation.define<boolean>();

const setErrorMark = StateEffect.define<{ from: number; to: number } | null>();
const errorMark = Decoration.mark({ class: 'cm-sql-error', attributes: { 'aria-invalid': 'true' } });

/** The red underline where PostgreSQL stopped; it follows edits until the next run replaces it. */
const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    let next = marks.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setErrorMark))
        next = effect.value && effect.value.to > effect.value.from ? Decoration.set([errorMark.range(effect.value.from, effect.value.to)]) : Decoration.none;
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// The default colours are made for a light background; the same tags, lightened, for dark.
const DARK_COLOURS: Record<string, string> = {
  '#404740': '#a3ada3',
  '#708': '#c792ea',
  '#219': '#82aaff',
  '#164': '#a5d6a7',
  '#a11': '#f4a582',
  '#e40': '#ffb86c',
  '#00f': '#82aaff',
  '#30a': '#b4a7ff',
  '#085': '#4ec9b0',
  '#167': '#5fc7e8',
  '#256': '#9cdcfe',
  '#00c': '#82aaff',
  '#940': '#8fa37a',
  '#f00': '#ff6b6b',
};
const darkHighlightStyle = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) => (typeof spec.color === 'string' && DARK_COLOURS[spec.color] ? { ...spec, color: DARK_COLOURS[spec.color] } : spec)),
  { themeType: 'dark' },
);

function appearance(dark: boolean, minHeight: string, maxHeight: string, fill = false): Extension {
  const theme = EditorView.theme(
    {
      '&': {
        color: 'var(--mantine-color-text)',
        backgroundColor: 'var(--mantine-color-body)',
        border: '1px solid var(--mantine-color-default-border)',
        borderRadius: 'var(--mantine-radius-sm)',
        fontSize: '14px',
        ...(fill ? { height: '100%' } : { maxHeight }),
      },
      '&.cm-focused': { outline: '2px solid var(--mantine-primary-color-filled)', outlineOffset: '-1px' },
      '.cm-scroller': { fontFamily: 'var(--mantine-font-family-monospace)', overflow: 'auto' },
      '.cm-content, .cm-gutter': { minHeight: fill ? '100%' : minHeight },
      '.cm-content': { caretColor: dark ? '#e9ecef' : '#212529' },
      '.cm-cursor, .cm-dropCursor': { borderLeftColor: dark ? '#e9ecef' : '#212529' },
      '.cm-gutters': {
        backgroundColor: 'var(--mantine-color-default)',
        color: 'var(--mantine-color-dimmed)',
        borderRight: '1px solid var(--mantine-color-default-border)',
      },
      '.cm-activeLine': { backgroundColor: dark ? 'rgba(255, 255, 255, 0.05)' : 'rgba(0, 0, 0, 0.035)' },
      '.cm-activeLineGutter': { backgroundColor: dark ? 'rgba(255, 255, 255, 0.08)' : 'rgba(0, 0, 0, 0.06)' },
      '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection': {
        backgroundColor: dark ? 'rgba(116, 143, 252, 0.35)' : 'rgba(76, 110, 245, 0.22)',
      },
      '.cm-sql-error': {
        textDecoration: 'underline wavy var(--mantine-color-red-6)',
        textDecorationSkipInk: 'none',
        backgroundColor: dark ? 'rgba(250, 82, 82, 0.2)' : 'rgba(250, 82, 82, 0.12)',
      },
      '.cm-tooltip': { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: '13px' },
    },
    { dark },
  );
  return [theme, dark ? syntaxHighlighting(darkHighlightStyle) : []];
}

function editability(readOnly: boolean): Extension {
  // Still focusable and selectable when read-only: copying a statement must keep working.
  return [EditorState.readOnly.of(readOnly), EditorView.contentAttributes.of({ 'aria-readonly': String(readOnly) })];
}

export const SqlEditor = forwardRef<SqlEditorHandle, SqlEditorProps>(function SqlEditor(props, ref) {
  const { value, errorAt, catalog, readOnly = false, docId, minHeight = '10rem', maxHeight = '24rem', fill = false } = props;
  const dark = useComputedColorScheme('light', { getInitialValueInEffect: false }) === 'dark';
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  // Latest props for the editor's callbacks, which are created once.
  const live = useRef({ props, dark });
  live.current = { props, dark };
  const lastReported = useRef(value);
  const compartments = useRef({ language: new Compartment(), look: new Compartment(), editable: new Compartment() });
  const savedStates = useRef(new Map<string, EditorState>());
  const shownDoc = useRef(docId);

  function currentConfig(): StateEffect<unknown>[] {
    const { language, look, editable } = compartments.current;
    const p = live.current.props;
    return [
      language.reconfigure(sqlLanguage(p.catalog)),
      look.reconfigure(appearance(live.current.dark, p.minHeight ?? '10rem', p.maxHeight ?? '24rem', p.fill)),
      editable.reconfigure(editability(p.readOnly ?? false)),
    ];
  }

  function createState(doc: string): EditorState {
    const { language, look, editable } = compartments.current;
    const p = live.current.props;
    const run = (pick: typeof statementTarget, callback: 'onRun' | 'onRunScript') => (view: EditorView) => {
      const { from, to } = view.state.selection.main;
      // A completion list left open over the results would hide them.
      closeCompletion(view);
      live.current.props[callback](pick(view.state.doc.toString(), from, to));
      return true;
    };
    return EditorState.create({
      doc,
      extensions: [
        // Before everything, so Mod-Enter runs instead of inserting a line. Ctrl too on a Mac,
        // as the old console accepted both. Escape is left alone: the screen's Esc cancels.
        Prec.highest(
          keymap.of([
            { key: 'Mod-Enter', run: run(statementTarget, 'onRun') },
            { key: 'Ctrl-Enter', run: run(statementTarget, 'onRun') },
            { key: 'Shift-Mod-Enter', run: run(scriptTarget, 'onRunScript') },
            { key: 'Shift-Ctrl-Enter', run: run(scriptTarget, 'onRunScript') },
          ]),
        ),
        basicSetup,
        keymap.of([indentWithTab]),
        language.of(sqlLanguage(p.catalog)),
        look.of(appearance(live.current.dark, p.minHeight ?? '10rem', p.maxHeight ?? '24rem', p.fill)),
        editable.of(editability(p.readOnly ?? false)),
        errorField,
        // The completion icons are glyphs many system fonts lack (boxes): the labels say enough.
        EditorView.baseTheme({ '.cm-completionIcon': { display: 'none' } }),
        placeholderText(p.placeholder ?? 'SELECT … ;'),
        EditorView.contentAttributes.of({ 'aria-label': 'SQL editor', spellcheck: 'false', autocapitalize: 'off', autocorrect: 'off' }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged || update.transactions.every((tr) => tr.annotation(fromProps))) return;
          const text = update.state.doc.toString();
          lastReported.current = text;
          live.current.props.onChange(text);
        }),
      ],
    });
  }

  // Mount once; the view outlives prop changes, which reach it through compartments.
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return undefined;
    const view = new EditorView({ state: createState(live.current.props.value), parent: host });
    viewRef.current = view;
    lastReported.current = live.current.props.value;
    return () => {
      view.destroy();
      viewRef.current = null;
    };
  }, []);

  // Another document (tab): keep the one leaving with its history, bring back the one coming.
  useEffect(() => {
    const view = viewRef.current;
    if (!view || shownDoc.current === docId) return;
    if (shownDoc.current !== undefined) savedStates.current.set(shownDoc.current, view.state);
    shownDoc.current = docId;
    const saved = docId === undefined ? undefined : savedStates.current.get(docId);
    const text = live.current.props.value;
    view.setState(saved && saved.doc.toString() === text ? saved : createState(text));
    view.dispatch({ effects: currentConfig() });
    lastReported.current = text;
  }, [docId]);

  // Text set from outside (an example, a snippet): an undoable edit of the whole document.
  useEffect(() => {
    const view = viewRef.current;
    if (!view || value === lastReported.current) return;
    lastReported.current = value;
    if (value === view.state.doc.toString()) return;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value }, annotations: fromProps.of(true) });
  }, [value]);

  useEffect(() => {
    viewRef.current?.dispatch({ effects: compartments.current.language.reconfigure(sqlLanguage(catalog)) });
  }, [catalog]);

  useEffect(() => {
    viewRef.current?.dispatch({ effects: compartments.current.look.reconfigure(appearance(dark, minHeight, maxHeight, fill)) });
  }, [dark, minHeight, maxHeight, fill]);

  useEffect(() => {
    viewRef.current?.dispatch({ effects: compartments.current.editable.reconfigure(editability(readOnly)) });
  }, [readOnly]);

  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    if (!errorAt) {
      view.dispatch({ effects: setErrorMark.of(null) });
      return;
    }
    const length = view.state.doc.length;
    const from = Math.max(0, Math.min(length, errorAt.start));
    const to = Math.max(from, Math.min(length, errorAt.end));
    view.dispatch({
      selection: { anchor: from, head: to },
      effects: [setErrorMark.of({ from, to }), EditorView.scrollIntoView(from, { y: 'center' })],
    });
    view.focus();
  }, [errorAt]);

  useImperativeHandle(
    ref,
    () => ({
      focus: () => viewRef.current?.focus(),
      closeCompletion: () => {
        if (viewRef.current) closeCompletion(viewRef.current);
      },
      getText: () => viewRef.current?.state.doc.toString() ?? lastReported.current,
      getSelection: () => {
        const main = viewRef.current?.state.selection.main;
        return main ? { from: main.from, to: main.to } : { from: 0, to: 0 };
      },
      select: (start: number, end: number) => {
        const view = viewRef.current;
        if (!view) return;
        const length = view.state.doc.length;
        const from = Math.max(0, Math.min(length, start));
        const to = Math.max(0, Math.min(length, end));
        view.dispatch({ selection: { anchor: from, head: to }, effects: EditorView.scrollIntoView(Math.min(from, to), { y: 'center' }) });
        view.focus();
      },
    }),
    [],
  );

  return <div ref={hostRef} data-testid="sql-editor" style={fill ? { height: '100%' } : undefined} />;
});
