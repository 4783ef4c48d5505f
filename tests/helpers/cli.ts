// Runs the built `ops-console` (bin/ops-console.cjs; npm test builds first) as a user would:
// its own process, a given app home, no terminal, passwords only through the environment.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const BIN = path.resolve(__dirname, '../../bin/ops-console.cjs');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  stdin?: string;
}

/** Starts the CLI; `done` resolves when it exits. The child is there to signal it (Ctrl+C). */
export function startCli(home: string, args: string[], options: CliOptions = {}): { child: ChildProcessWithoutNullStreams; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, '--home', home, ...args], {
    // No stray credentials from the machine: each test says which password, if any.
    env: { ...process.env, PGPASSWORD: '', PGPASSFILE: '/nonexistent', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin.end(options.stdin ?? '');
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
  return { child, done };
}

export function runCli(home: string, args: string[], options: CliOptions = {}): Promise<Run> {
  return startCli(home, args, options).done;
}

/** The CLI's --json output, or a failure that shows what it printed instead. */
export function json(run: Run): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\nstderr: ${run.stderr}`);
  }
}
