/**
 * A real, tiny file system for the full-disk tests: a tmpfs mounted on a fresh directory.
 * Mounting needs root; where it is impossible the tests are skipped with the reason printed,
 * except in CI as root, where they must run.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync, statfsSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

function mount(dir: string, options: string): void {
  execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "pipe" });
}

/** Why a tmpfs cannot be mounted here; undefined when it can. Throws in CI as root. */
export function tmpfsUnavailable(): string | undefined {
  const probe = mkdtempSync(path.join(os.tmpdir(), "hub-tmpfs-probe-"));
  try {
    mount(probe, "size=16k");
    execFileSync("umount", [probe]);
    return undefined;
  } catch (error) {
    const reason = `cannot mount a tmpfs (${(error as Error).message.split("\n")[0]}): full-disk tests skipped`;
    if (process.env.CI === "true" && process.getuid?.() === 0) throw new Error(reason);
    console.warn(reason);
    return reason;
  } finally {
    rmdirSync(probe);
  }
}

export interface Tmpfs {
  dir: string;
  /** Bytes still free. */
  free(): number;
  /** Fills the file system with `filler` until only `leaveBytes` remain free. */
  fill(leaveBytes: number): string;
  /** Makes it read-only. */
  readOnly(): void;
  unmount(): void;
}

export function mountTmpfs(sizeKb: number): Tmpfs {
  const dir = mkdtempSync(path.join(os.tmpdir(), "hub-tmpfs-"));
  mount(dir, `size=${sizeKb}k,mode=0700`);
  const free = () => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    fill(leaveBytes) {
      const filler = path.join(dir, "filler");
      writeFileSync(filler, Buffer.alloc(Math.max(0, free() - leaveBytes)));
      return filler;
    },
    readOnly() {
      execFileSync("mount", ["-o", "remount,ro", dir]);
    },
    unmount() {
      execFileSync("umount", [dir]);
      rmdirSync(dir);
    },
  };
}
