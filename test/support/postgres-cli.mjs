#!/usr/bin/env node
// Starts a throwaway Postgres cluster by hand and prints its URL: `node test/support/postgres-cli.mjs`
// (add --fsync for Postgres' durable settings). Ctrl-C stops it and deletes its data.
import { startCluster } from "./postgres-cluster.mjs";

const cluster = await startCluster({ fsync: process.argv.includes("--fsync") });
const url = await cluster.createDatabase("hub");
console.log(`HUB_DATABASE_URL=${url}`);
console.log(`(data in ${cluster.dir}; Ctrl-C stops the cluster and deletes it)`);
const stop = async () => {
  await cluster.destroy();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
setInterval(() => undefined, 1 << 30);
