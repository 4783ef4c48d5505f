// Repair of text whose UTF-8 bytes were decoded as Windows-1252 / Latin-1 somewhere along
// the way (an editor, a wiki export, a mail client): "ðŸš¨" was 🚨, "â€”" was —. Each char
// of such a run maps back to one byte; where those bytes form a complete, valid UTF-8
// sequence we decode it. Anything else is left exactly as it was, so correct text (real
// emoji, "café", a lone "—") passes through untouched.

/** Windows-1252's 0x80–0x9F block: the characters that are not simply Latin-1. */
const CP1252_HIGH: Readonly<Record<number, number>> = {
  0x20ac: 0x80,
  0x201a: 0x82,
  0x0192: 0x83,
  0x201e: 0x84,
  0x2026: 0x85,
  0x2020: 0x86,
  0x2021: 0x87,
  0x02c6: 0x88,
  0x2030: 0x89,
  0x0160: 0x8a,
  0x2039: 0x8b,
  0x0152: 0x8c,
  0x017d: 0x8e,
  0x2018: 0x91,
  0x2019: 0x92,
  0x201c: 0x93,
  0x201d: 0x94,
  0x2022: 0x95,
  0x2013: 0x96,
  0x2014: 0x97,
  0x02dc: 0x98,
  0x2122: 0x99,
  0x0161: 0x9a,
  0x203a: 0x9b,
  0x0153: 0x9c,
  0x017e: 0x9e,
  0x0178: 0x9f,
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The byte a character would have been read from, or null when it cannot come from a
 * single-byte decoding. U+0080–U+009F map to themselves: decoders that read "Latin-1"
 * literally keep the bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D).
 */
function byteOf(code: number): number | null {
  if (code <= 0xff) return code;
  return CP1252_HIGH[code] ?? null;
}

/** How many bytes a UTF-8 sequence starting with this byte has (0: not a lead byte). */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Decode the sequence at `start` if it is complete, valid UTF-8; null otherwise. */
function decodeAt(text: string, start: number): { value: string; length: number } | null {
  const lead = byteOf(text.charCodeAt(start));
  const length = lead === null ? 0 : sequenceLength(lead);
  if (length === 0 || start + length > text.length) return null;
  const bytes = new Uint8Array(length);
  bytes[0] = lead!;
  for (let k = 1; k < length; k++) {
    const b = byteOf(text.charCodeAt(start + k));
    if (b === null || b < 0x80 || b > 0xbf) return null;
    bytes[k] = b;
  }
  try {
    // The fatal decoder refuses overlong forms, surrogates and code points past U+10FFFF,
    // which a mere lead/continuation check would let through.
    return { value: strictUtf8.decode(bytes), length };
  } catch {
    return null;
  }
}

export interface RepairResult {
  text: string;
  /** Characters restored (one per repaired sequence: "ðŸš¨" → "🚨" counts 1). */
  repaired: number;
}

/** A character that can only be the lead byte of a mis-decoded UTF-8 sequence. */
const LEAD = /[\u00c2-\u00f4]/g;

export function repairMojibake(text: string): RepairResult {
  // Only where a lead character stands is there anything to try; the text between is
  // copied in one piece (a 2 MB runbook has a handful of emoji, not two million).
  const parts: string[] = [];
  let repaired = 0;
  let copied = 0;
  LEAD.lastIndex = 0;
  for (let m = LEAD.exec(text); m !== null; m = LEAD.exec(text)) {
    const decoded = decodeAt(text, m.index);
    if (decoded === null) continue;
    parts.push(text.slice(copied, m.index), decoded.value);
    repaired++;
    copied = m.index + decoded.length;
    LEAD.lastIndex = copied;
  }
  if (repaired === 0) return { text, repaired: 0 };
  parts.push(text.slice(copied));
  return { text: parts.join(''), repaired };
}
