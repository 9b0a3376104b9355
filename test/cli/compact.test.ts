/**
 * `hub compact [--json]` through `main(argv, io)`: the clock journal folded into sessions.json.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exists, hub, useTempDir, writeJson } from "./helpers.js";

const tmp = useTempDir();

describe("hub compact", () => {
  it("folds the journal into sessions.json (JSON.stringify of the folded store) and removes it; a second run has nothing to fold", async () => {
    const store = path.join(tmp(), "sessions.json");
    await writeJson(store, { "agent:main:a": { sessionId: "s-a", updatedAt: 1_000, label: "A" }, "agent:main:b": { sessionId: "s-b", updatedAt: 5_000 } });
    const records = [
      { k: "agent:main:a", s: "s-a", t: 9_000 },
      { k: "agent:main:b", s: "s-old", t: 9_000 },
    ];
    await fs.writeFile(`${store}.clock`, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
    const r = await hub(["compact", "--json", "--store", store, "--state-dir", tmp()]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ path: store, folded: true });
    const expected = { "agent:main:a": { sessionId: "s-a", updatedAt: 9_000, label: "A" }, "agent:main:b": { sessionId: "s-b", updatedAt: 5_000 } };
    expect(await fs.readFile(store, "utf8")).toBe(JSON.stringify(expected, null, 2));
    expect(await exists(`${store}.clock`)).toBe(false);
    const again = await hub(["compact", "--store", store, "--state-dir", tmp()]);
    expect(again).toMatchObject({ code: 0, stdout: "nothing to fold\n" });
  });

  it("refuses a store that does not exist with E_NOT_FOUND (exit 2), creating nothing", async () => {
    const r = await hub(["compact", "--store", path.join(tmp(), "nope.json"), "--state-dir", tmp()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("E_NOT_FOUND");
    expect(await fs.readdir(tmp())).toEqual([]);
  });
});
