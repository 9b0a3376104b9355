import { readdirSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../../../src/backend/file/fs/atomic.js";
import { openGatewayRegistry } from "../../../../src/backend/file/gateways/gateways.js";
import { openSessionStore } from "../../../../src/backend/file/store/session-store.js";
import { errorCodeOf, readStoreFile } from "../helpers.js";
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from "../tmpfs.js";

const unavailable = tmpfsUnavailable();
let disk: Tmpfs | undefined;

function mounted(sizeKb = 64): Tmpfs {
  disk = mountTmpfs(sizeKb);
  return disk;
}

afterEach(() => {
  disk?.unmount();
  disk = undefined;
});

const BIG = "x".repeat(20_000);

describe.skipIf(unavailable !== undefined)("a nearly full disk (a real tmpfs with a few KB free)", () => {
  it("an update that does not fit rejects with E_NO_SPACE: the file stays byte-identical, the cache is not advanced, the backup parses", async () => {
    const { dir, fill } = mounted();
    const file = path.join(dir, "sessions.json");
    const store = openSessionStore({ path: file });
    await store.update("a", { label: "one" });
    await store.update("b", { label: "two" });
    const before = await fs.readFile(file);
    // One page for the lock's owner record, one more: the temp file gets a few KB, not 20.
    fill(8_192);

    expect(await errorCodeOf(store.update("big", { label: BIG }))).toBe("E_NO_SPACE");
    expect(await fs.readFile(file)).toEqual(before);
    expect(await store.get("big")).toBeUndefined();
    expect((await store.get("a"))?.label).toBe("one");
    expect(await fs.readFile(`${file}.bak`)).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(["filler", "sessions.json", "sessions.json.bak"]);
    // Another process opening the store now finds every acknowledged entry.
    expect(Object.keys(await readStoreFile(file))).toEqual(["a", "b"]);

    await fs.rm(path.join(dir, "filler"));
    await store.update("big", { label: BIG });
    expect((await readStoreFile(file)).big?.label).toBe(BIG);
    await store.close();
  });

  it("the atomic write itself: E_NO_SPACE with the ENOSPC cause, old bytes kept, no temp file left", async () => {
    const { dir, fill } = mounted();
    const file = path.join(dir, "data.json");
    await fs.writeFile(file, "old");
    fill(4_096);
    const error = await writeFileAtomic(file, Buffer.alloc(20_000, 120), { durable: true }).then(
      () => undefined,
      (e: unknown) => e as { code: string; cause: { code: string } },
    );
    expect(error?.code).toBe("E_NO_SPACE");
    expect(error?.cause.code).toBe("ENOSPC");
    expect(await fs.readFile(file, "utf8")).toBe("old");
    expect(readdirSync(dir).sort()).toEqual(["data.json", "filler"]);
  });

  it("gateways.json: a registration that does not fit rejects with E_NO_SPACE and leaves the file as it was", async () => {
    const { dir, fill } = mounted();
    const registry = openGatewayRegistry(dir, () => 1_000);
    await registry.register({ gatewayId: "tg", name: "bot", type: "telegram" });
    const before = await fs.readFile(path.join(dir, "gateways.json"));
    fill(8_192);
    const big = registry.register({ gatewayId: "wa", name: "number", type: "whatsapp", config: { note: BIG } });
    expect(await errorCodeOf(big)).toBe("E_NO_SPACE");
    expect(await fs.readFile(path.join(dir, "gateways.json"))).toEqual(before);
  });

  it("a read-only file system: E_READ_ONLY", async () => {
    const { dir, readOnly } = mounted();
    const file = path.join(dir, "data.json");
    await fs.writeFile(file, "old");
    readOnly();
    expect(await errorCodeOf(writeFileAtomic(file, "new", { durable: true }))).toBe("E_READ_ONLY");
    expect(await fs.readFile(file, "utf8")).toBe("old");
  });
});
