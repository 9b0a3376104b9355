// Module hooks (node --import ... register()) that append every module URL loaded to the
// file named by env HUB_TEST_MODULES_FILE: which modules a CLI command loads.
import { appendFileSync } from "node:fs";

export async function load(url, context, nextLoad) {
  appendFileSync(process.env.HUB_TEST_MODULES_FILE, `${url}\n`);
  return nextLoad(url, context);
}
