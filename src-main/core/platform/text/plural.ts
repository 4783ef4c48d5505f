// English count phrases for CLI text, audit summaries and reports. One copy, so "1 rows" or
// "0 row" cannot creep back in one place; the renderer keeps its own (it imports no core).

/** "1 row", "0 rows", "3 rows"; give the plural when it is not word + "s" ("1 entry", "2 entries"). */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/** The word alone, agreeing with n, for a sentence that names the count elsewhere or not at all. */
export function pluralNoun(n: number, word: string, pluralWord = `${word}s`): string {
  return n === 1 ? word : pluralWord;
}
