/**
 * Child processes with prefixed, line-buffered logs, and a stop that never leaves orphans: each child
 * leads its own process group, and stopping signals the whole group (SIGTERM, then SIGKILL after a grace
 * period), so grandchildren such as workerd or esbuild go too.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface ManagedChild {
  name: string;
  process: ChildProcess;
  /** Resolves with the first stdout/stderr line that matches, rejects if the child exits first. */
  waitForLine(match: RegExp, timeoutMs: number): Promise<string>;
  stop(graceMs?: number): Promise<void>;
}

const colors = [36, 35, 33, 32, 34, 31];
let nextColor = 0;

export function prefixer(name: string): (line: string) => void {
  const color = colors[nextColor++ % colors.length];
  const tag = process.stdout.isTTY ? `\x1b[${color}m${name.padEnd(10)}\x1b[0m` : name.padEnd(10);
  return (line) => process.stdout.write(`${tag} │ ${line}\n`);
}

export function startChild(
  name: string,
  command: string,
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    log?: (line: string) => void;
    quiet?: boolean;
    /**
     * Give the child a stdin pipe that stays open for as long as this process lives: a child that stops
     * when its stdin ends cannot outlive a parent killed without cleanup (SIGKILL, a crashed runner).
     */
    lifeline?: boolean;
  } = {},
): ManagedChild {
  const log = options.log ?? prefixer(name);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.lifeline ? "pipe" : "ignore", "pipe", "pipe"],
    detached: true,
  });
  const listeners = new Set<(line: string) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      if (!options.quiet) log(line);
      for (const listener of listeners) listener(line);
    });
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  return {
    name,
    process: child,
    waitForLine(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name}: not ready after ${timeoutMs} ms`));
        }, timeoutMs);
        const onLine = (line: string) => {
          if (!match.test(line)) return;
          cleanup();
          resolve(line);
        };
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`${name} exited with code ${code} before it was ready`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(onLine);
          child.off("exit", onExit);
        };
        listeners.add(onLine);
        child.once("exit", onExit);
      });
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const pid = child.pid;
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-pid, signal);
        } catch {
          // Already gone.
        }
      };
      signalGroup("SIGTERM");
      const killer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
      await exited;
      clearTimeout(killer);
      // Grandchildren that ignored SIGTERM while their parent exited still share the group.
      signalGroup("SIGKILL");
    },
  };
}
