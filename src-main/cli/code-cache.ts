// V8's code cache for the CLI's own bundle (issue #21, the CLI's floor). Every `ops-console`
// command parses and compiles ~2 MB of bundled JavaScript before doing anything; V8 can save
// what it compiled (bytecode of every function that ran) and take it back on the next start,
// which skips most of that work. Node 22 offers this as module.enableCompileCache(); on Node 20
// the CLI does it itself: its modules under out/main are compiled through vm.Script with the
// cached data, and what V8 compiled is written back when the process exits.
//
// Never a correctness risk: a cache file is used only if it was made from exactly the same
// source text and is itself intact (SHA-1s of both are in the file, checked on every read), by
// the same Node/V8 build with the same V8 flags (V8 checks those itself and rejects the data
// otherwise: `cachedDataRejected`).
// Anything unreadable, rejected or out of date is ignored and rewritten; a cache directory that
// cannot be made, or is not ours, turns the cache off silently. OPS_CONSOLE_CODE_CACHE=off turns
// it off on purpose; =report prints one line of hits, misses and rejections to stderr at exit.
import crypto from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

const MAGIC = Buffer.from('OPSCC1\n', 'latin1');
const HASH_BYTES = 20;
/** A cache file nobody has used for this long belongs to an older build: removed when we next write. */
const STALE_MS = 14 * 24 * 3600 * 1000;
/** A hit refreshes the file's time at most this often (one utimes a day, not one per start). */
const TOUCH_MS = 24 * 3600 * 1000;

interface Pending {
  file: string;
  hash: Buffer;
  script: vm.Script;
  /** The V8 flags generation it was compiled under (see setV8Flags). */
  epoch: number;
}

/** Node's own CommonJS internals the hook stands in for (not in @types/node). */
interface CjsModule {
  exports: unknown;
  require(id: string): unknown;
  _compile(content: string, filename: string): unknown;
}
interface CjsStatics {
  wrap(content: string): string;
  _resolveFilename(request: string, parent: CjsModule, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: CjsModule): string[] | null;
  _cache: Record<string, unknown>;
  _extensions: Record<string, unknown>;
  prototype: CjsModule;
}

interface CodeCacheStats {
  dir: string;
  /** Scripts compiled from cached data this run. */
  hits: number;
  /** Scripts compiled without (none yet, or it was rejected), whose data is written at exit. */
  misses: number;
  rejected: number;
}

let state: { dir: string; pending: Pending[]; epoch: number; flags: string; stats: CodeCacheStats } | null = null;

/** Where the cache lives: the platform's per-user cache folder (not the app home: it is about the installed code, not the data). */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPS_CONSOLE_CODE_CACHE_DIR) return env.OPS_CONSOLE_CODE_CACHE_DIR;
  const home = os.homedir();
  const base =
    process.platform === 'win32'
      ? path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'ops-console', 'Cache')
      : process.platform === 'darwin'
        ? path.join(home, 'Library', 'Caches', 'ops-console')
        : path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'ops-console');
  return path.join(base, 'code-cache');
}

/** A private folder of ours, or null (then there is no cache this run). */
function ownDir(dir: string): string | null {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    if (!st.isDirectory()) return null;
    // Cached bytecode runs as our code: never take it from a folder someone else can write.
    if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return null;
    return dir;
  } catch {
    return null;
  }
}

function sha1(data: string | Buffer): Buffer {
  return crypto.createHash('sha1').update(data).digest();
}

/** One file per source path, Node build and V8 flags set by us (serve and one-shot commands differ). */
function cacheFile(dir: string, filename: string, flags: string): string {
  const key = crypto.createHash('sha1').update(`${filename}\0${process.version}\0${process.arch}\0${process.versions.v8}\0${flags}`).digest('hex');
  return path.join(dir, `${path.basename(filename, '.js')}-${key.slice(0, 16)}.v8`);
}

/**
 * The cached data made from exactly this text, or undefined. Release builds of V8 do not
 * checksum code caches, so the data's own hash is checked here too: a file damaged on disk is
 * never handed to V8.
 */
function readCache(file: string, sourceHash: Buffer): Buffer | undefined {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const head = MAGIC.length + 2 * HASH_BYTES;
  if (raw.length <= head || !raw.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  if (!raw.subarray(MAGIC.length, MAGIC.length + HASH_BYTES).equals(sourceHash)) return undefined;
  const data = raw.subarray(head);
  return raw.subarray(MAGIC.length + HASH_BYTES, head).equals(sha1(data)) ? data : undefined;
}

/** MAGIC, the source's hash, the data's hash, the data; written under a temporary name and renamed, so a reader sees a whole file or none. */
function writeCache(file: string, sourceHash: Buffer, data: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([MAGIC, sourceHash, sha1(data), data]), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

function pruneStale(dir: string): void {
  try {
    const now = Date.now();
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (now - fs.statSync(file).mtimeMs > STALE_MS) fs.rmSync(file, { force: true });
    }
  } catch {
    // Housekeeping: a failure leaves an old file behind, nothing more.
  }
}

function touchIfOld(file: string): void {
  try {
    if (Date.now() - fs.statSync(file).mtimeMs > TOUCH_MS) fs.utimesSync(file, new Date(), new Date());
  } catch {
    // The file may have been replaced meanwhile: nothing to refresh.
  }
}

/**
 * Writes what V8 compiled so far for the scripts compiled under the current flags. Runs at exit
 * and before a V8 flag changes: V8 stamps the data with the flags in force when it is serialised,
 * so data made after a change would be rejected on the next start, where the script is compiled
 * before that change again.
 */
function flush(): void {
  if (!state) return;
  const due = state.pending.filter((p) => p.epoch === state!.epoch);
  state.pending = [];
  if (due.length === 0) return;
  pruneStale(state.dir);
  for (const p of due) {
    try {
      writeCache(p.file, p.hash, p.script.createCachedData());
    } catch {
      // A script V8 cannot serialise is simply compiled again next time.
    }
  }
}

/**
 * The only way the CLI changes V8 flags at run time (--liftoff-only, --expose-gc): the cache
 * first saves what was compiled under the old flags, and later scripts are filed under the new.
 */
export function setV8Flags(flags: string): void {
  if (state) {
    flush();
    state.epoch++;
    state.flags = `${state.flags} ${flags}`.trim();
  }
  v8.setFlagsFromString(flags);
}

/**
 * Compiles every CommonJS file under `root` (the CLI's bundle) through the cache from now on.
 * Returns false when the cache is off (OPS_CONSOLE_CODE_CACHE=off, no usable folder, or Node's
 * own compile cache took over).
 */
export function installCodeCache(root: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (state || env.OPS_CONSOLE_CODE_CACHE === 'off') return false;
  const dir = ownDir(codeCacheDir(env));
  if (!dir) return false;
  const cjs = Module as unknown as CjsStatics;
  const original = cjs.prototype._compile;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  state = { dir, pending: [], epoch: 0, flags: '', stats: { dir, hits: 0, misses: 0, rejected: 0 } };
  const own = state;
  cjs.prototype._compile = function compileWithCache(this: CjsModule, content: string, filename: string): unknown {
    // A script that import()s (the chunk that loads ssh2 and the AWS SDK lazily) is left to
    // Node: vm can give it Node's loader only through an experimental option, which on Node 20
    // is lost when the script comes from cached data (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
    if (!filename.startsWith(prefix) || state !== own || content.includes('import(')) return original.call(this, content, filename);
    const hash = sha1(content);
    const file = cacheFile(own.dir, filename, own.flags);
    const cachedData = readCache(file, hash);
    const script = new vm.Script(cjs.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    if (cachedData && !script.cachedDataRejected) {
      own.stats.hits++;
      touchIfOld(file);
    } else {
      if (cachedData) own.stats.rejected++;
      else own.stats.misses++;
      own.pending.push({ file, hash, script, epoch: own.epoch });
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireFor(cjs, this), this, filename, path.dirname(filename));
  };
  process.on('exit', () => {
    flush();
    // A diagnostic line (tests read it): whether this start was served from the cache.
    if (env.OPS_CONSOLE_CODE_CACHE === 'report') {
      const { hits, misses, rejected } = own.stats;
      process.stderr.write(`code cache: ${hits} hits, ${misses} misses, ${rejected} rejected (${own.dir})\n`);
    }
  });
  return true;
}

/** The `require` a module gets, as Node builds it (resolve, cache, main, extensions). */
function requireFor(cjs: CjsStatics, mod: CjsModule): NodeJS.Require {
  const req = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => cjs._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => cjs._resolveLookupPaths(request, mod);
  req.resolve = resolve;
  req.main = require.main;
  req.cache = cjs._cache as NodeJS.Require['cache'];
  req.extensions = cjs._extensions as NodeJS.Require['extensions'];
  return req;
}
