/**
 * Terminal safety (issue 9 item 17): names, subjects, keys and chat text come from the
 * network. Every human-readable output shows control characters escaped; JSON output keeps
 * every value exact and is itself free of raw C1 and bidi controls.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { printable, printableLines, safeJson } from "../../src/cli/escape.js";
import { NOW, hub, storeOf, useTempDir, writeJson } from "./helpers.js";

const tmp = useTempDir();

/** Clears the screen, sets the window title, rings the bell; a C1 CSI; a bidi override. */
const EVIL = "\u001b[2J\u001b]0;owned\u0007 \u009b31m \u202eevil";
const EVIL_SHOWN = "\\u001b[2J\\u001b]0;owned\\u0007 \\u009b31m \\u202eevil";
/** Anything a terminal could act on, except the newlines between output lines. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe("printable", () => {
  it.each([
    ["plain ✓ 🏡 Família São Paulo", "plain ✓ 🏡 Família São Paulo"],
    ["a\nb\tc\rd", "a\\nb\\u0009c\\u000dd"],
    [EVIL, EVIL_SHOWN],
    ["del\u007f nel\u0085 lrm\u200e rlm\u200f lri\u2066 pdi\u2069 alm\u061c ps\u2029", "del\\u007f nel\\u0085 lrm\\u200e rlm\\u200f lri\\u2066 pdi\\u2069 alm\\u061c ps\\u2029"],
    ["zwj family 👨\u200d👩\u200d👧 stays", "zwj family 👨\u200d👩\u200d👧 stays"],
  ])("%j → %j", (input, output) => {
    expect(printable(input)).toBe(output);
  });

  it("printableLines keeps line breaks as indented lines and escapes inside them", () => {
    expect(printableLines("one\r\ntwo\u001b[2J\nthree", "    ")).toBe("one\n    two\\u001b[2J\n    three");
  });

  it("safeJson escapes a DEL in otherwise plain ASCII, and leaves plain ASCII exactly as JSON.stringify writes it", () => {
    expect(safeJson({ name: "a\u007fb" })).toBe('{\n  "name": "a\\u007fb"\n}');
    expect(safeJson({ name: "a\u007fb" }, 0)).toBe('{"name":"a\\u007fb"}');
    const plain = { key: "agent:main:telegram:dm:42", n: [1, 2], nested: { tab: "\t" } };
    expect(safeJson(plain)).toBe(JSON.stringify(plain, null, 2));
    expect(safeJson({ name: "caf\u00e9 \u0085" })).toBe('{\n  "name": "caf\u00e9 \\u0085"\n}');
  });

  it("safeJson parses back to the exact value and has no raw C1 or bidi controls", () => {
    const value = { name: EVIL, list: ["\u0085", "\u2028", "ok"] };
    const text = safeJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toBe(`${JSON.stringify(value, null, 2).replace(/[\u0085\u009b\u2028\u202e]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}`);
  });
});

const KEY = `agent:main:telegram:group:${EVIL}`;

/** A store whose every network-sourced field is hostile, with a transcript. */
async function seedHostile(): Promise<string> {
  const store = storeOf(tmp());
  await writeJson(store, {
    [KEY]: { sessionId: "s-evil", updatedAt: NOW - 1000, displayName: EVIL, label: EVIL, subject: EVIL, model: EVIL, channel: "telegram", chatType: "group", sessionFile: "s-evil.jsonl" },
    "agent:main:main": { sessionId: "s-main", updatedAt: NOW - 90 * 24 * 3_600_000, label: EVIL },
    // Idle for 90 days: prune removes it.
    [`agent:main:telegram:dm:${EVIL}`]: { sessionId: "s-old", updatedAt: NOW - 90 * 24 * 3_600_000 },
  });
  const header = { type: "session", version: 3, id: "s-evil", timestamp: new Date(NOW).toISOString(), cwd: "" };
  const message = {
    type: "message",
    id: "m1",
    parentId: null,
    timestamp: new Date(NOW).toISOString(),
    message: { role: "user", content: `hello ${EVIL}\nsecond line ${EVIL}`, timestamp: NOW },
    meta: { senderName: EVIL, senderId: EVIL },
  };
  await fs.writeFile(path.join(path.dirname(store), "s-evil.jsonl"), `${JSON.stringify(header)}\n${JSON.stringify(message)}\n`);
  // An orphaned transcript with a hostile name, reported by doctor.
  await fs.writeFile(path.join(path.dirname(store), `orphan${EVIL}.jsonl`), "");
  return store;
}

describe("every human-readable output escapes control characters", () => {
  const commands: Array<[string, string[]]> = [
    ["sessions", ["sessions"]],
    ["sessions show", ["sessions", "show", KEY]],
    ["sessions delete --dry-run", ["sessions", "delete", KEY, "--dry-run"]],
    ["sessions delete of an unknown key", ["sessions", "delete", `agent:main:x:${EVIL}`, "--dry-run"]],
    ["transcript", ["transcript", KEY]],
    ["transcript of an unknown key", ["transcript", `x${EVIL}`]],
    ["status", ["status"]],
    ["doctor", ["doctor"]],
    ["prune --dry-run", ["prune", "--dry-run"]],
    ["an unknown subcommand", ["sessions", EVIL]],
  ];

  it.each(commands)("%s", async (_name, argv) => {
    await seedHostile();
    const r = await hub([...argv, "--state-dir", tmp()]);
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stdout + r.stderr).toContain("\\u001b[2J\\u001b]0;owned\\u0007");
  });

  it("an unknown command name is escaped too", async () => {
    const r = await hub([EVIL]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain(EVIL_SHOWN);
  });

  it("the transcript shows the sender and each line of the text escaped", async () => {
    await seedHostile();
    const r = await hub(["transcript", KEY, "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${EVIL_SHOWN}: hello ${EVIL_SHOWN}\n    second line ${EVIL_SHOWN}\n`);
  });
});

describe("JSON output stays exact", () => {
  it.each([
    ["sessions --json", ["sessions", "--json"], (p: any) => p.sessions[0].displayName],
    ["sessions show --json", ["sessions", "show", KEY, "--json"], (p: any) => p.entry.subject],
    ["transcript --json", ["transcript", KEY, "--json"], (p: any) => p.messages[0].meta.senderName],
    ["status --json", ["status", "--json"], (p: any) => p.newest.key.slice("agent:main:telegram:group:".length)],
    ["doctor --json", ["doctor", "--json"], (p: any) => p.findings.find((f: any) => f.kind === "orphaned-transcript").subject.replace(/^.*orphan|\.jsonl$/gu, "")],
  ] as Array<[string, string[], (payload: any) => unknown]>)("%s", async (_name, argv, pick) => {
    await seedHostile();
    const r = await hub([...argv, "--state-dir", tmp()]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(pick(JSON.parse(r.stdout))).toBe(EVIL);
  });
});
