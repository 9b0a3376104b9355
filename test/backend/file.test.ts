/** The file backend passes the conformance suite. */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openFileBackend, type FileBackend } from "../../src/backend/file/index.js";
import { describeBackendConformance } from "./conformance.js";

describeBackendConformance("file", async ({ now }) => {
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-backend-"));
  const onWarning = (warning: { message: string }) => {
    throw new Error(`unexpected warning: ${warning.message}`);
  };
  const backend = openFileBackend({ stateDir, durable: false, now, onWarning });
  const peers: FileBackend[] = [];
  return {
    backend,
    peer: async () => {
      // Another process would open the same state dir: its own store, cache and locks.
      const peer = openFileBackend({ stateDir, durable: false, now, onWarning });
      peers.push(peer);
      return peer;
    },
    cleanup: async () => {
      await Promise.all([backend, ...peers].map((b) => b.close()));
      await fs.rm(stateDir, { recursive: true, force: true });
    },
  };
});
