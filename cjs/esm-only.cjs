// session-hub is published as ES modules only. This file is what `require("session-hub")`
// resolves to (the "require" condition of package.json "exports"): it says so instead of
// failing with a resolution error.
"use strict";

const error = new Error(
  'session-hub is ESM-only: use `import { createHub } from "session-hub"`, or `await import("session-hub")` from CommonJS. ' +
    "It cannot be loaded with require().",
);
error.code = "ERR_REQUIRE_ESM";
throw error;
