// How JSON cells read on every side: the core hands json/jsonb to the app pretty-printed,
// the grid shows them on one line. A text rule, not a JSON.parse round trip, so numbers such
// as 12345678901234567890 or 1.10 stay exactly as the server wrote them. Pure, like the
// rest of the contract, so the core and the renderer share the one implementation.

/**
 * Re-spaces JSON text without parsing it into JS values, so 12345678901234567890 and 1.10
 * stay as the server wrote them: `indent` 0 gives one line like jsonb's output.
 */
export function reformatJson(text: string, indent: number): string {
  let out = '';
  let depth = 0;
  let inString = false;
  const newline = () => (indent > 0 ? `\n${' '.repeat(indent * depth)}` : '');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '{' || ch === '[') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (text[j] === (ch === '{' ? '}' : ']')) {
        out += ch + text[j];
        i = j;
      } else {
        depth++;
        out += ch + newline();
      }
    } else if (ch === '}' || ch === ']') {
      depth--;
      out += newline() + ch;
    } else if (ch === ',') {
      out += indent > 0 ? ',' + newline() : ', ';
    } else if (ch === ':') {
      out += ': ';
    } else if (!/\s/.test(ch)) {
      out += ch;
    }
  }
  return out;
}
