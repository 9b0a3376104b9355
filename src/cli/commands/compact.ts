/**
 * `hub compact`: folds the activity clock journal (`sessions.json.clock`) into
 * `sessions.json` now, so that a reader of `sessions.json` alone (clawdbot) sees every clock.
 */
import { printable, safeJson } from "../escape.js";
import { assertFileTarget, assertStoreExists, openTargetStore, resolveTarget, type Command } from "../command.js";

const USAGE = `Usage: hub compact [--json]

Folds the activity clock journal (sessions.json.clock) into sessions.json under the store's
lock, then removes the journal. Gateways do this by themselves (at the latest after
activityFlushMs, default 30 s, and when they close); run it before reading sessions.json
with another tool while no gateway runs, or to check that the store can be written.

Options:
  --json      print { "path", "folded" } as JSON
  --store, --agent, --state-dir, --config   which store (see hub --help)
`;

export const compactCommand: Command = {
  name: "compact",
  usage: USAGE,
  options: { json: { type: "boolean" } },
  async run({ values, io }) {
    const target = await resolveTarget(values, io);
    assertFileTarget(target, "compact", "a database keeps the activity clock in its rows, there is no journal to fold");
    await assertStoreExists(target);
    const store = await openTargetStore(target, io, { readOnly: false });
    const folded = await store.compact();
    await store.close();
    io.stdout(values.json ? `${safeJson({ path: store.path, folded })}\n` : folded ? `folded the activity clock journal into ${printable(store.path)}\n` : "nothing to fold\n");
    return 0;
  },
};
