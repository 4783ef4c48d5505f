// Answers the core gives for a question asked once and remembered (plans are audited, so
// each distinct set of options is asked once; an inspection reads a file once). A failed
// answer is kept for display but asked again next time. Used by the Backups and Restore wizards.
import { useCallback, useRef, useState } from 'react';
import { OpsError } from '../../api/client';
import { toShownError, type ShownError } from '../../state/errors';

/** A shown error with the core's detail (a version mismatch lists the tools it found there). */
export type DetailedError = ShownError & { detail?: unknown };

export function detailed(err: unknown): DetailedError {
  return { ...toShownError(err), detail: err instanceof OpsError ? err.detail : undefined };
}

/**
 * `keyOf`, `ask` and `failed` must be stable (module-level functions): they are read by the
 * returned callbacks. `ask` builds the success answer, `failed` the error answer.
 */
export function useAskOnce<Q, A>(keyOf: (question: Q) => string, ask: (question: Q) => Promise<A>, failed: (error: DetailedError) => A) {
  const [answers, setAnswers] = useState<Record<string, A>>({});
  const [pending, setPending] = useState<string | null>(null);
  const asked = useRef(new Set<string>());

  const request = useCallback(
    async (question: Q, force = false) => {
      const key = keyOf(question);
      if (asked.current.has(key) && !force) return;
      asked.current.add(key);
      setPending(key);
      let answer: A;
      try {
        answer = await ask(question);
      } catch (err) {
        answer = failed(detailed(err));
        // An answer that asks for a password, or failed, is asked again next time.
        asked.current.delete(key);
      }
      setAnswers((all) => ({ ...all, [key]: answer }));
      setPending((p) => (p === key ? null : p));
    },
    [keyOf, ask, failed],
  );

  const answerFor = useCallback((question: Q | null): A | null => (question === null ? null : (answers[keyOf(question)] ?? null)), [answers, keyOf]);
  const isPending = useCallback((question: Q | null) => question !== null && pending === keyOf(question), [pending, keyOf]);
  const forget = useCallback(() => {
    asked.current.clear();
    setAnswers({});
  }, []);
  return { request, answerFor, isPending, forget, answers };
}
