import { describe, expect, it } from "vitest";
import { BoundedMap } from "../../../src/backend/shared/bounded-map.js";

describe("BoundedMap", () => {
  it("keeps at most its limit, forgetting the oldest key first; a key set again after a delete counts as new", () => {
    const map = new BoundedMap<string, number>(3);
    for (const [key, value] of [["a", 1], ["b", 2], ["c", 3]] as const) map.set(key, value);
    map.set("a", 10); // present: keeps its place
    map.set("d", 4);
    expect([...map]).toEqual([["b", 2], ["c", 3], ["d", 4]]);
    map.delete("b");
    map.set("b", 20);
    map.set("e", 5);
    expect([...map.keys()]).toEqual(["d", "b", "e"]);
    expect(map.size).toBe(3);
  });
});
