/**
 * `hub dashboard`: serves the web dashboard on the target store until interrupted. Prints
 * exactly one line on stdout, the URL with the access token; everything else goes to stderr.
 */
import { spawn } from "node:child_process";
import { startDashboard } from "../../dashboard/server.js";
import { assertStoreExists, resolveTarget, UsageError, type Command } from "../command.js";
import { oneLine } from "../escape.js";
import { aborted, openTargetBackend, stopSignal } from "../live.js";

const USAGE = `Usage: hub dashboard [--port N] [--host ADDR] [--open]

Serves a live web dashboard of the sessions and transcripts of a store, and prints its URL
(with the access token) on stdout. Runs until Ctrl-C.

Options:
  --port N      port to listen on (default 0: a free one)
  --host ADDR   address to bind (default 127.0.0.1; anything else is reachable from the
                network and prints a warning)
  --open        open the URL in the default browser
  --store, --agent, --state-dir, --config, --database   which store (see hub --help)
`;

function portOption(raw: string | boolean | undefined): number {
  if (raw === undefined) return 0;
  const text = String(raw);
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, got "${text}"`);
  return Number(text);
}

/** Opens `url` in the platform's browser, detached; a failure is a warning. */
function openBrowser(url: string, warn: (text: string) => void): void {
  const [command, args] = process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", "", url]] : ["xdg-open", [url]];
  const child = spawn(command, args, { detached: true, stdio: "ignore" });
  child.on("error", (error) => warn(`hub dashboard: could not open a browser (${oneLine(error.message)}); open the URL yourself\n`));
  child.unref();
}

export const dashboardCommand: Command = {
  name: "dashboard",
  usage: USAGE,
  options: { port: { type: "string" }, host: { type: "string" }, open: { type: "boolean" } },
  async run({ values, io }) {
    const port = portOption(values.port);
    const host = values.host === undefined ? "127.0.0.1" : String(values.host).trim();
    if (host === "") throw new UsageError("--host must be an address");
    const target = await resolveTarget(values, io);
    await assertStoreExists(target);
    const backend = await openTargetBackend(target, io, { readOnly: false });
    const { signal, release } = stopSignal(io);
    try {
      const dashboard = await startDashboard({
        backend,
        host,
        port,
        onError: (error) => io.stderr(`hub dashboard: ${oneLine(error instanceof Error ? error.message : String(error))}\n`),
      });
      if (host !== "127.0.0.1" && host !== "::1" && host !== "localhost") {
        io.stderr(`hub dashboard: warning: listening on ${oneLine(host)}, not loopback: anyone who can reach this address and has the token can read and reset sessions\n`);
      }
      io.stdout(`${dashboard.url}\n`);
      if (values.open === true) openBrowser(dashboard.url, io.stderr);
      await aborted(signal);
      await dashboard.close();
      return 0;
    } finally {
      release();
      await backend.close();
    }
  },
};
