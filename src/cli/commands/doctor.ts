/**
 * `hub doctor [--fix] [--json]`: diagnose a sessions directory; `--fix` applies the safe repairs.
 */
import { diagnose, repair, type Finding } from "../../backend/file/doctor/doctor.js";
import { assertFileTarget, openTargetStore, resolveTarget, UsageError, type Command } from "../command.js";
import { oneLine, printable, safeJson } from "../escape.js";

const USAGE = `Usage: hub doctor [--fix [--force]] [--json]

Checks the store and its sessions directory: a store that does not parse, quarantined
files, stale locks, entries whose transcript is missing, transcripts no session references,
leftover temp files, legacy or case-variant keys (read with the config's mainKey, scope and
caseSensitiveChannels), and a main session holding direct chats while dmScope is not "main"
(a clawdbot/openclaw store). Without --fix nothing is changed: it is the dry run.

--fix repairs what is safe: quarantines a corrupt store and restores its backup, removes
stale locks and old temp files, migrates legacy keys (several spellings of one session: the
newest entry is kept), archives orphaned transcripts as <file>.deleted.<timestamp>. Exit code
2 when an error-level problem remains.

A file that does not parse and does not look like a session store (not named sessions.json,
not a JSON object) is never renamed or rewritten: --fix refuses (E_NOT_A_STORE) unless
--force is given too.

Options:
  --fix       apply the safe repairs and say what was done
  --force     with --fix: also quarantine a damaged file that does not look like a store
  --json      machine-readable output
  --store, --agent, --state-dir, --config   which store (see hub --help)
`;

const MARK = { error: "✗", warn: "!", info: "·" } as const;

function render(findings: Finding[]): string {
  if (findings.length === 0) return "No problems found.\n";
  return `${findings
    .map((f) => `${MARK[f.severity]} ${f.kind}: ${printable(f.subject)}\n    ${oneLine(f.message)}${f.fixed ? `\n    fixed: ${oneLine(f.fixed)}` : ""}`)
    .join("\n")}\n`;
}

export const doctorCommand: Command = {
  name: "doctor",
  usage: USAGE,
  options: { fix: { type: "boolean" }, force: { type: "boolean" }, json: { type: "boolean" } },
  async run({ values, io }) {
    const fix = values.fix === true;
    if (values.force === true && !fix) throw new UsageError("--force only means something with --fix");
    const target = await resolveTarget(values, io);
    assertFileTarget(target, "doctor", "a database has no files, locks or torn writes to repair (hub status shows its schema version)");
    const store = await openTargetStore(target, io, { readOnly: !fix, forceRecovery: values.force === true });
    const { mainKey, caseSensitiveChannels, scope, dmScope } = target.config.session ?? {};
    const keys = { mainKey, caseSensitiveChannels, scope, dmScope };
    const showProgress = io.progress ?? (process.stderr.isTTY === true && !values.json);
    const now = (io.now ?? Date.now)();
    const findings = await diagnose(store, {
      now,
      keys,
      onProgress: showProgress
        ? (done, total) => {
            if (done % 200 === 0 || done === total) io.stderr(`\rchecking sessions ${done}/${total}${done === total ? "\n" : ""}`);
          }
        : undefined,
    });
    if (fix) await repair(store, findings, now, keys);
    const remaining = findings.filter((f) => f.severity === "error" && f.fixed === undefined);
    if (values.json) io.stdout(`${safeJson({ path: store.path, fixed: fix, findings })}\n`);
    else io.stdout(`Store: ${printable(store.path)}\n${render(findings)}`);
    return remaining.length > 0 ? 2 : 0;
  },
};
