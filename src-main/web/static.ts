// Serves the built renderer. Only files inside the static folder, resolved after
// normalisation, so `..` or encoded slashes cannot reach anything else.
import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
};

/** Files up to this size are read and sent whole; larger ones are streamed. */
const WHOLE_FILE_BYTES = 8 * 1024 * 1024;

function resolveInside(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  return full === root || full.startsWith(root + path.sep) ? full : null;
}

export function serveStatic(staticDir: string, pathname: string, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers);
    res.end();
    return;
  }
  const root = path.resolve(staticDir);
  let file = resolveInside(root, pathname);
  if (file === null) {
    res.writeHead(400, headers);
    res.end('Bad path');
    return;
  }
  // The renderer is a single page: unknown paths without an extension get index.html.
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
    if (path.extname(file) !== '' && file !== root) {
      res.writeHead(404, headers);
      res.end('Not found');
      return;
    }
    file = path.join(root, 'index.html');
  }
  if (!fs.existsSync(file)) {
    res.writeHead(503, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
    res.end('The user interface is not built. Run `npm run build` first.');
    return;
  }
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const cache = file.endsWith('index.html') ? 'no-store' : 'max-age=31536000, immutable';
  // The renderer's files are small (the largest chunk is ~0.6 MB): read whole and sent in one
  // write, so a file goes out in the turn its request arrived. Streamed, it took a turn per
  // 64 KB, and while `serve` loads the core's modules each turn can wait tens of ms
  // (issue #21, cold start).
  const size = fs.statSync(file).size;
  const body = req.method === 'HEAD' || size > WHOLE_FILE_BYTES ? null : fs.readFileSync(file);
  res.writeHead(200, { ...headers, 'content-type': type, 'cache-control': cache, 'content-length': String(size) });
  if (req.method === 'HEAD') res.end();
  else if (body) res.end(body);
  else fs.createReadStream(file).pipe(res);
}

/**
 * The files index.html has the browser fetch as it parses it (module script, module preloads,
 * stylesheet), as URL paths: what the page needs before its first render. Empty when the
 * renderer is not built.
 */
export function startupFiles(staticDir: string): string[] {
  let html: string;
  try {
    html = fs.readFileSync(path.join(staticDir, 'index.html'), 'utf8');
  } catch {
    return [];
  }
  const tags = html.match(/<(?:script|link)\b[^>]*>/g) ?? [];
  const files: string[] = [];
  for (const tag of tags) {
    if (tag.startsWith('<link') && !/\brel="(?:stylesheet|modulepreload)"/.test(tag)) continue;
    const ref = /\b(?:src|href)="\.?\/?([^"?#:]+)"/.exec(tag)?.[1];
    if (ref) files.push('/' + ref);
  }
  return files;
}
