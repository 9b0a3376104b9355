/** The file backend passes the conformance suite. */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { openFileBackend } from "../../src/backend/file/index.js";
import { describeBackendConformance } from "./conformance.js";

describeBackendConformance("file", async ({ now }) => {
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-backend-"));
  const onWarning = (warning: { message: string }) => {
    throw new Error(`unexpected warning: ${warning.message}`);
  };
  const backend = openFileBackend({ stateDir, durable: false, now, onWarning });
  return {
    backend,
    cleanup: async () => {
      await backend.close();
      await fs.rm(stateDir, { recursive: true, force: true });
    },
  };
});
