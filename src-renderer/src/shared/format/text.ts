// Words around numbers, the same way on every screen.

/** "1 row", "3 rows"; `many` for irregular plurals ("2 indexes"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
