// OpenSSH's own pattern rules (match.c), shared by known_hosts host lists and ssh_config
// `Host` lines, so that a host the app trusts is exactly a host `ssh` would trust.

/** `*` matches any run of characters, `?` exactly one; everything else is literal. */
export function matchPattern(text: string, pattern: string): boolean {
  // Iterative wildcard match with single-star backtracking: linear enough for host names
  // and immune to the exponential blow-up a naive recursive matcher has on `*a*a*a*b`.
  let t = 0;
  let p = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '*') {
      starP = p;
      starT = t;
      p += 1;
    } else if (pc !== undefined && (pc === '?' || pc === text[t])) {
      p += 1;
      t += 1;
    } else if (starP >= 0) {
      p = starP + 1;
      starT += 1;
      t = starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}

export type ListMatch = 'positive' | 'negated' | 'none';

/**
 * match_pattern_list(): a comma-separated list where `!pattern` vetoes the whole list.
 * A negated hit wins over any positive hit, and a list of only negations never matches.
 */
export function matchPatternList(text: string, patterns: readonly string[], caseInsensitive: boolean): ListMatch {
  const subject = caseInsensitive ? text.toLowerCase() : text;
  let positive = false;
  for (const raw of patterns) {
    if (raw === '') continue;
    const negated = raw.startsWith('!');
    const body = negated ? raw.slice(1) : raw;
    const pattern = caseInsensitive ? body.toLowerCase() : body;
    if (matchPattern(subject, pattern)) {
      if (negated) return 'negated';
      positive = true;
    }
  }
  return positive ? 'positive' : 'none';
}
