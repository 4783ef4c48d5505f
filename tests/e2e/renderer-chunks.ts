// The built renderer's chunk graph (issue #21), read from out/renderer as electron-vite wrote
// it: the entry index.html loads, the chunks it imports statically (what the first screen
// parses), and the chunks it leaves to a dynamic import() (fetched when a screen opens).
import fs from 'node:fs';
import path from 'node:path';

export interface ChunkGraph {
  assetsDir: string;
  entry: string;
  /** The entry and every chunk reachable from it by static imports. */
  startup: Set<string>;
  /** Chunks the startup set names only in a dynamic import(): loaded on demand. */
  lazy: Set<string>;
  read(chunk: string): string;
  /** A chunk and every chunk it imports statically. */
  closure(chunk: string): Set<string>;
}

// Minified output: `import{a as b}from"./x.js"`, `import"./x.js"`; dynamic: import(`./x.js`).
const STATIC_IMPORT = /(?:from|import)\s*"\.\/([^"]+\.js)"/g;
const DYNAMIC_IMPORT = /import\(\s*[`"']\.\/([^`"']+\.js)[`"']\s*\)/g;

export function readChunkGraph(rendererDir: string): ChunkGraph {
  const html = fs.readFileSync(path.join(rendererDir, 'index.html'), 'utf8');
  const entry = /<script[^>]*type="module"[^>]*src="\.\/assets\/([^"]+\.js)"/.exec(html)?.[1];
  if (!entry) throw new Error(`index.html names no module script under ./assets:\n${html}`);
  const assetsDir = path.join(rendererDir, 'assets');
  const cache = new Map<string, string>();
  const read = (chunk: string) => {
    let text = cache.get(chunk);
    if (text === undefined) cache.set(chunk, (text = fs.readFileSync(path.join(assetsDir, chunk), 'utf8')));
    return text;
  };
  const closure = (start: string) => {
    const seen = new Set<string>();
    const todo = [start];
    while (todo.length > 0) {
      const chunk = todo.pop()!;
      if (seen.has(chunk)) continue;
      seen.add(chunk);
      for (const m of read(chunk).matchAll(STATIC_IMPORT)) todo.push(m[1]!);
    }
    return seen;
  };
  const startup = closure(entry);
  const lazy = new Set<string>();
  for (const chunk of startup) for (const m of read(chunk).matchAll(DYNAMIC_IMPORT)) if (!startup.has(m[1]!)) lazy.add(m[1]!);
  return { assetsDir, entry, startup, lazy, read, closure };
}
