// A small, strict argument parser: every command declares its flags, anything else is a
// usage error (exit 2). No dependency, so the CLI starts fast for cron and monitoring.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  /** 'boolean' takes no value; 'string' takes one; 'list' may repeat. */
  type: 'boolean' | 'string' | 'list';
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface Parsed {
  positionals: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
}

/** Flags every command accepts (the CLI contract's "Everywhere"). */
export const GLOBAL_FLAGS: FlagSpecs = {
  home: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
};

export function parseArgs(argv: readonly string[], specs: FlagSpecs): Parsed {
  const all: FlagSpecs = { ...GLOBAL_FLAGS, ...specs };
  const positionals: string[] = [];
  const flags: Parsed['flags'] = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = all[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (spec.type === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (spec.type === 'list') {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(value);
      flags[name] = list;
    } else {
      flags[name] = value;
    }
  }
  return { positionals, flags };
}

export function stringFlag(parsed: Parsed, name: string): string | undefined {
  const v = parsed.flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable flag's values in the order given ([] when absent). */
export function listFlag(parsed: Parsed, name: string): string[] {
  const v = parsed.flags[name];
  return Array.isArray(v) ? v : [];
}

export function boolFlag(parsed: Parsed, name: string): boolean {
  return parsed.flags[name] === true;
}

export function intFlag(parsed: Parsed, name: string, range: { min: number; max: number }): number | undefined {
  const raw = stringFlag(parsed, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < range.min || n > range.max) throw new UsageError(`--${name} must be between ${range.min} and ${range.max}, got ${n}`);
  return n;
}

/** Exactly `count` positionals, named in the usage message when missing. */
export function expectPositionals(parsed: Parsed, names: string[], usage: string): string[] {
  if (parsed.positionals.length < names.length) {
    throw new UsageError(`missing ${names.slice(parsed.positionals.length).join(' ')}\nusage: ${usage}`);
  }
  if (parsed.positionals.length > names.length) {
    throw new UsageError(`unexpected argument "${parsed.positionals[names.length]}"\nusage: ${usage}`);
  }
  return parsed.positionals;
}
