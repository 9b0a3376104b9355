// A throwaway Postgres cluster for tests and benchmarks: Debian's server binaries
// (/usr/lib/postgresql/<highest version>/bin), a temp data dir, a free loopback port, the unix
// socket inside the temp dir. initdb refuses root, so as root the cluster runs as the OS user
// `postgres` (created when absent). Plain JS so the bench scripts and the hand-start command
// share it with the tests.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = "/usr/lib/postgresql";
const INSTALL_HINT = "install the Postgres server binaries: `apt-get update && apt-get install -y postgresql` (Debian/Ubuntu)";

/** The bin dir of the highest installed Postgres version, or undefined. */
export function findPostgresBin() {
  if (!existsSync(ROOT)) return undefined;
  const versions = readdirSync(ROOT)
    .filter((v) => /^\d+$/.test(v) && existsSync(path.join(ROOT, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(ROOT, versions[0], "bin");
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** The server binaries, installed with apt-get when running as root without them; else a thrown error saying what to install. */
export function requirePostgresBin() {
  let bin = findPostgresBin();
  if (bin === undefined && isRoot() && spawnSync("which", ["apt-get"]).status === 0) {
    const install = spawnSync("sh", ["-c", "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql"], { stdio: "inherit" });
    if (install.status !== 0) throw new Error(`apt-get install postgresql failed (exit ${install.status}); ${INSTALL_HINT}`);
    bin = findPostgresBin();
  }
  if (bin === undefined) throw new Error(`no Postgres server under ${ROOT}/<version>/bin: ${INSTALL_HINT}`);
  return bin;
}

async function ensureOsUser() {
  if (spawnSync("id", ["-u", "postgres"]).status === 0) return;
  await run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"]);
}

/** Runs a server binary, as `postgres` when we are root. */
function asOwner(file, args) {
  return isRoot() ? run("runuser", ["-u", "postgres", "--", file, ...args]) : run(file, args);
}

/** A TCP port nobody listens on right now. */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster. `fsync: true` runs it with Postgres' durable defaults (benchmarks);
 * the default switches fsync, synchronous_commit and full_page_writes off (tests).
 * Resolves with `{ port, dir, url(database), createDatabase(name), stop(), start(), destroy() }`.
 */
export async function startCluster(options = {}) {
  const bin = requirePostgresBin();
  if (isRoot()) await ensureOsUser();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-pg-"));
  await fs.chmod(dir, 0o755);
  if (isRoot()) await run("chown", ["postgres:", dir]);
  const data = path.join(dir, "data");
  await asOwner(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = options.port ?? (await freePort());
  const settings = ["-c", "listen_addresses=127.0.0.1", "-c", `port=${port}`, "-c", `unix_socket_directories=${dir}`, "-c", "max_connections=200"];
  if (!options.fsync) settings.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  const ctl = (...args) => asOwner(path.join(bin, "pg_ctl"), ["-D", data, "-w", "-t", "60", ...args]);
  const start = () => ctl("-l", path.join(dir, "server.log"), "-o", settings.map((s) => (s === "-c" ? s : `'${s}'`)).join(" "), "start");
  const stop = (mode = "fast") => ctl("-m", mode, "stop");
  await start();
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const psql = (sql) => asOwner(path.join(bin, "psql"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql]);
  let counter = 0;
  return {
    port,
    dir,
    url,
    start,
    stop,
    /** A fresh empty database; resolves with its URL. */
    async createDatabase(prefix = "hub") {
      const name = `${prefix.replace(/[^a-z0-9_]/g, "_")}_${process.pid}_${++counter}`;
      await psql(`CREATE DATABASE "${name}"`);
      return url(name);
    },
    async destroy() {
      await stop("immediate").catch(() => undefined); // already stopped: nothing to do
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
