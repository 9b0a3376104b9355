#!/usr/bin/env node
/**
 * `npm test` needs two programs from Debian besides Node: the PostgreSQL server binaries (the
 * Postgres backend's tests start a throwaway cluster) and Chromium (the dashboard's browser
 * test). When one is missing and this runs as root where apt-get exists, it is installed;
 * otherwise the run stops here saying exactly what to install. Never a downloaded browser.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const needs = [
  { what: "the PostgreSQL server (initdb)", pkg: "postgresql", present: () => postgresBins() },
  { what: "Chromium (/usr/bin/chromium)", pkg: "chromium", present: () => existsSync("/usr/bin/chromium") },
];

function postgresBins() {
  const root = "/usr/lib/postgresql";
  return existsSync(root) && readdirSync(root).some((v) => existsSync(`${root}/${v}/bin/initdb`));
}

const missing = needs.filter((n) => !n.present());
if (missing.length === 0) process.exit(0);

const packages = missing.map((n) => n.pkg);
const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
if (!canInstall) {
  console.error(`npm test needs ${missing.map((n) => n.what).join(" and ")}. Install ${packages.length > 1 ? "them" : "it"} with:\n  sudo apt-get update && sudo apt-get install -y ${packages.join(" ")}`);
  process.exit(1);
}
console.error(`installing ${packages.join(", ")} from Debian (needed by the tests)...`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "inherit"], env });
execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...packages], { stdio: ["ignore", "ignore", "inherit"], env });
const still = missing.filter((n) => !n.present());
if (still.length > 0) {
  console.error(`apt-get finished but ${still.map((n) => n.what).join(" and ")} is still missing`);
  process.exit(1);
}
