/**
 * `hub export --state-dir <dir>`: the whole state of the agent out of Postgres as a file
 * state dir that the file backend's `hub` (and a JSON.parse of sessions.json) reads the same.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../support/postgres.js";
import { HOUR, NOW, hub, storeOf, useTempDir, writeJson, writeTranscript } from "./helpers.js";

const tmp = useTempDir("hub-cli-pg-export-");
const MAIN = "agent:main:main";
const GROUP = "agent:main:whatsapp:group:123@g.us";

describe("hub export --state-dir", () => {
  it("writes a state dir that hub on files lists and prints like the database; refuses a store there unless --force", async () => {
    const files = path.join(tmp(), "files");
    await writeJson(storeOf(files), { [MAIN]: { sessionId: "s-main", updatedAt: NOW - 1000, label: "me" }, [GROUP]: { sessionId: "s-wa", updatedAt: NOW - HOUR, chatType: "group" } });
    await writeTranscript(path.join(path.dirname(storeOf(files)), "s-main.jsonl"), "s-main", ["hi", "hello", "how are you"]);
    await writeTranscript(path.join(path.dirname(storeOf(files)), "s-wa.jsonl"), "s-wa", ["family"]);
    const url = await createDatabase("cliexp");
    expect(await hub(["import", files, "--database", url])).toMatchObject({ code: 0, stderr: "" });

    const out = path.join(tmp(), "out");
    const exported = await hub(["export", "--state-dir", out, "--database", url, "--json"]);
    expect(exported).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(exported.stdout)).toEqual({ store: storeOf(out), sessions: 2, transcripts: 2, lines: 4, gateways: 0 });
    expect(JSON.parse(await fs.readFile(storeOf(out), "utf8"))).toEqual(JSON.parse(await fs.readFile(storeOf(files), "utf8")));
    const onDb = await hub(["sessions", "--json", "--database", url, "--state-dir", tmp()]);
    const onOut = await hub(["sessions", "--json", "--state-dir", out]);
    const withoutPath = (text: string) => ({ ...(JSON.parse(text) as Record<string, unknown>), path: undefined });
    expect(withoutPath(onOut.stdout)).toEqual(withoutPath(onDb.stdout));
    expect(await hub(["transcript", MAIN, "--json", "--state-dir", out])).toEqual(await hub(["transcript", MAIN, "--json", "--state-dir", files]));

    const refused = await hub(["export", "--state-dir", out, "--database", url]);
    expect(refused).toEqual({ code: 2, stdout: "", stderr: `hub export: ${path.dirname(storeOf(out))} is not empty: exporting there would overwrite a store (pass force to write over it) [E_STORE_EXISTS]\n` });
    const forced = await hub(["export", "--state-dir", out, "--database", url, "--force"]);
    expect(forced).toEqual({ code: 0, stdout: `exported 2 session(s), 2 transcript(s) (4 lines) and 0 gateway(s) to ${storeOf(out)}\n`, stderr: "" });
    expect((await hub(["export", MAIN, path.join(tmp(), "x.jsonl"), "--force", "--database", url, "--state-dir", tmp()])).code).toBe(1);
  });
});
