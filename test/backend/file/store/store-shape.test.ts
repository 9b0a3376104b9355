/**
 * The store never quarantines or rewrites a file that does not look like a session store
 * (issue 9 item 18): `E_NOT_A_STORE`, the file byte-identical, no lock directory left; the
 * `forceRecovery` option opts in.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { looksLikeStore } from "../../../../src/backend/file/store/store-shape.js";
import { errorCodeOf, useTempDir } from "../../../support.js";

const tmp = useTempDir();
const PASSWD = "root:x:0:0:root:/root:/bin/bash\n";

describe("looksLikeStore", () => {
  it.each([
    ["/a/sessions.json", "garbage", true],
    ["/a/sessions.json", "", true],
    ["/a/custom.json", '\uFEFF  {"torn": ', true],
    ["/a/custom.json", "", true],
    ["/a/custom.json", "[1]", false],
    ["/etc/passwd", PASSWD, false],
    ["/etc/hosts", "127.0.0.1 localhost", false],
    ["/dev/null", "", false],
    ["/a/sessions.json.txt", "x", false],
  ])("%s with %j → %s", (file, text, expected) => {
    expect(looksLikeStore(file, text)).toBe(expected);
  });
});

describe("openSessionStore on a file that is not a store", () => {
  it.each([
    ["list", (s: ReturnType<typeof openSessionStore>) => s.list()],
    ["get", (s: ReturnType<typeof openSessionStore>) => s.get("agent:main:main")],
    ["update", (s: ReturnType<typeof openSessionStore>) => s.update("agent:main:main", { label: "x" })],
  ])("%s rejects with E_NOT_A_STORE and leaves every file as it was", async (_name, call) => {
    const file = path.join(tmp(), "passwd");
    await fs.writeFile(file, PASSWD);
    const warnings: string[] = [];
    const store = openSessionStore({ path: file, onWarning: (w) => warnings.push(w.code) });
    expect(await errorCodeOf(call(store))).toBe("E_NOT_A_STORE");
    await store.close();
    expect(await fs.readdir(tmp())).toEqual(["passwd"]);
    expect(await fs.readFile(file, "utf8")).toBe(PASSWD);
    expect(warnings).toEqual([]);
  });

  it("forceRecovery quarantines it like a corrupt store", async () => {
    const file = path.join(tmp(), "passwd");
    await fs.writeFile(file, PASSWD);
    const warnings: string[] = [];
    const store = openSessionStore({ path: file, forceRecovery: true, onWarning: (w) => warnings.push(w.code) });
    expect(await store.list()).toEqual([]);
    await store.close();
    expect(warnings).toEqual(["E_CORRUPT_STORE"]);
    const kept = (await fs.readdir(tmp())).find((n) => n.startsWith("passwd.corrupt."));
    expect(await fs.readFile(path.join(tmp(), kept ?? "missing"), "utf8")).toBe(PASSWD);
  });
});
