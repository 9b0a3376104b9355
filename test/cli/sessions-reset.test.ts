/**
 * `hub sessions reset <key...>` (issue 14 item 6): an explicit alias of delete that says
 * what it does: which sessions ended, that the next message starts a new session id, and
 * that the transcripts were archived.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createHub } from "../../src/index.js";
import { NOW, hub, snapshot, storeOf, useTempDir, writeJson, writeTranscript } from "./helpers.js";

const tmp = useTempDir();

async function seed(): Promise<string> {
  const store = storeOf(tmp());
  await writeJson(store, {
    "agent:main:main": { sessionId: "s-main", updatedAt: NOW - 1000 },
    "cron:nightly": { sessionId: "s-cron", updatedAt: NOW - 2000 },
  });
  await writeTranscript(path.join(path.dirname(store), "s-main.jsonl"), "s-main", ["hi", "hello"]);
  return store;
}

const SUMMARY = "The next message to each starts a new session with a new session id; archived\ntranscripts are kept as <file>.deleted.<timestamp>.\n";

describe("hub sessions reset", () => {
  it("removes the sessions, archives the transcripts and says what happened", async () => {
    const store = await seed();
    const r = await hub(["sessions", "reset", "agent:main:main", "cron:nightly", "--state-dir", tmp()]);
    expect(r).toEqual({
      code: 0,
      stderr: "",
      stdout: `reset agent:main:main (session s-main ended; archived 1 transcript)\nreset cron:nightly (session s-cron ended; no transcript)\n${SUMMARY}`,
    });
    expect(JSON.parse(await fs.readFile(store, "utf8"))).toEqual({});
    const names = await fs.readdir(path.dirname(store));
    expect(names.filter((n) => n.startsWith("s-main.jsonl.deleted."))).toHaveLength(1);
  });

  it("the next message to a reset session gets a new session id", async () => {
    const gateway = await createHub({ stateDir: tmp(), now: () => NOW, durable: false });
    const dm = { channel: "telegram", chatType: "direct", peerId: "111", text: "one" } as const;
    const first = await gateway.receive(dm);
    await gateway.close();
    const key = "agent:main:telegram:dm:111";
    expect((await hub(["sessions", "reset", key, "--state-dir", tmp()])).code).toBe(0);
    const again = await createHub({ stateDir: tmp(), now: () => NOW + 1000, durable: false });
    const second = await again.receive({ ...dm, text: "two" });
    await again.close();
    expect(first.duplicate === false && second.duplicate === false).toBe(true);
    if (first.duplicate || second.duplicate) return;
    expect(second.isNewSession).toBe(true);
    expect(second.sessionId).not.toBe(first.sessionId);
  });

  it("--dry-run says what it would do and changes nothing", async () => {
    await seed();
    const before = await snapshot(tmp());
    const r = await hub(["sessions", "reset", "agent:main:main", "--dry-run", "--state-dir", tmp()]);
    expect(r).toEqual({ code: 0, stderr: "", stdout: "would reset agent:main:main (session s-main would end; would archive 1 transcript)\nNothing changed (--dry-run).\n" });
    expect(await snapshot(tmp())).toEqual(before);
  });

  it("an unknown key (escaped) is exit 2; without keys, or with --json, it is a usage error", async () => {
    const store = await seed();
    const r = await hub(["sessions", "reset", "agent:main:\u001b[2Jx", "--state-dir", tmp()]);
    expect(r).toEqual({ code: 2, stdout: "", stderr: `hub sessions: no session "agent:main:\\u001b[2Jx" in ${store}\n` });
    const none = await hub(["sessions", "reset", "--state-dir", tmp()]);
    expect([none.code, none.stderr.split("\n")[0]]).toEqual([1, "hub sessions: sessions reset needs at least one <key>"]);
    const json = await hub(["sessions", "reset", "cron:nightly", "--json", "--state-dir", tmp()]);
    expect([json.code, json.stderr.split("\n")[0]]).toEqual([1, 'hub sessions: --json means nothing for "sessions reset"']);
    const typo = await hub(["sessions", "rset", "cron:nightly", "--state-dir", tmp()]);
    expect(typo.stderr.split("\n")[0]).toBe('hub sessions: unknown sessions subcommand "rset" (did you mean "reset"?)');
  });

  it("a hostile key is printed escaped (its invalid session id is not printed at all)", async () => {
    const key = "agent:main:telegram:group:\u001b]0;pwned\u0007\u202eevil";
    await writeJson(storeOf(tmp()), { [key]: { sessionId: "s\u001b[2J", updatedAt: NOW } });
    const r = await hub(["sessions", "reset", key, "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("reset agent:main:telegram:group:\\u001b]0;pwned\\u0007\\u202eevil (an invalid entry ended; no transcript)");
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/u);
  });

  it("a store that does not exist is exit 2 and nothing is created", async () => {
    const r = await hub(["sessions", "reset", "agent:main:main", "--state-dir", path.join(tmp(), "nope")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("[E_NOT_FOUND]");
    expect(await fs.readdir(tmp())).toEqual([]);
  });
});
