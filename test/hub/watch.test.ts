/** `hub.watch`: the backend's change feed through the façade. */
import { describe, expect, it } from "vitest";
import type { Change } from "../../src/backend/types.js";
import { createHub } from "../../src/hub.js";
import { errorCodeOf } from "../support.js";
import { useHub } from "./helpers.js";

const fixture = useHub();

describe("hub.watch", () => {
  it("sees a session created and a message appended by another hub on the same state dir", async () => {
    const watching = await fixture.open();
    const writer = await fixture.open();
    const stop = new AbortController();
    const seen: Change[] = [];
    const done = (async () => {
      for await (const change of watching.watch({ signal: stop.signal })) {
        seen.push(change);
        if (change.type === "message") stop.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const r = await writer.receive({ channel: "telegram", chatType: "direct", peerId: "111", messageId: "m1", text: "hello" });
    await done;
    expect(seen[0]).toEqual({ type: "resync" });
    const message = seen.find((c) => c.type === "message");
    expect(message).toMatchObject({ type: "message", key: "agent:main:telegram:dm:111", message: { role: "user", content: "hello" } });
    expect(r.duplicate).toBe(false);
  });

  it("is E_INVALID_ARGUMENT on a backend without a change feed", async () => {
    const live = await fixture.open();
    // The same backend with its feed hidden: a backend that implements only `Backend`.
    const plain = Object.create(live.backend, { watch: { value: undefined } });
    const hub = await createHub({ backend: plain, now: fixture.clock().now });
    expect(await errorCodeOf(Promise.resolve().then(() => hub.watch()))).toBe("E_INVALID_ARGUMENT");
    await hub.close();
  });
});
