import { describe, expect, it } from "vitest";
import { canonicalizeSessionKey, parseSessionKey, caseFoldedAliases, sessionKeyAliases, type CanonicalizeOptions } from "../../src/keys/index.js";
import { expectHubError } from "./helpers.js";

const cases: Array<[string, CanonicalizeOptions, string]> = [
  [" Agent:Main:Main ", {}, "agent:main:main"],
  ["main", {}, "agent:main:main"],
  ["MAIN", { agentId: "Ops" }, "agent:ops:main"],
  ["work", { mainKey: "Work" }, "agent:main:work"],
  ["main", { mainKey: "work" }, "agent:main:work"],
  ["agent:main:main", { mainKey: "work" }, "agent:main:work"],
  ["agent:main:telegram:direct:5550001", {}, "agent:main:telegram:dm:5550001"],
  ["agent:main:direct:ALICE", {}, "agent:main:dm:alice"],
  ["agent:main:Telegram:Tasks:DIRECT:1", {}, "agent:main:telegram:tasks:dm:1"],
  ["agent:main:slack:channel:C1:thread:ABC", {}, "agent:main:slack:channel:c1:thread:abc"],
  ["agent:main:matrix:channel:!AbC:example.org", {}, "agent:main:matrix:channel:!AbC%3Aexample.org"],
  ["agent:main:matrix:channel:!AbC:example.org", { caseSensitiveChannels: [] }, "agent:main:matrix:channel:!abc%3Aexample.org"],
  ["agent:main:whatsapp:dm:+1 (555) 010-2030", {}, "agent:main:whatsapp:dm:+15550102030"],
  ["agent:main:telegram:group:-100:thread:5", {}, "agent:main:telegram:group:-100:topic:5"],
  ["agent:main:discord:group:1:topic:5", {}, "agent:main:discord:group:1:thread:5"],
  ["agent:Work Bot:subagent:XYZ", {}, "agent:work-bot:subagent:XYZ"],
  ["agent:main:cron:Nightly", {}, "agent:main:cron:Nightly"],
  ["cron:Nightly", {}, "cron:Nightly"],
  ["hook:x", {}, "hook:x"],
  ["node-abc", {}, "node-abc"],
  ["global", {}, "global"],
  ["group:Legacy-Team", {}, "group:Legacy-Team"],
  ["group:Legacy-Team", { channel: "Slack" }, "agent:main:slack:group:legacy-team"],
  ["group:123@g.us", {}, "agent:main:whatsapp:group:123@g.us"],
  ["whatsapp:group:123@g.us", {}, "agent:main:whatsapp:group:123@g.us"],
  ["telegram:dm:42", { agentId: "ops" }, "agent:ops:telegram:dm:42"],
  ["webchat:abc", {}, "agent:main:webchat:abc"],
  ["my session", {}, "agent:main:my session"],
];

describe("canonicalizeSessionKey", () => {
  it.each(cases)("%j %j", (key, options, expected) => {
    const canonical = canonicalizeSessionKey(key, options);
    expect(canonical).toBe(expected);
    expect(canonicalizeSessionKey(canonical, options)).toBe(canonical);
    expect(parseSessionKey(canonical)).not.toBeNull();
  });

  it.each([
    ["", /^sessionKey must be a non-empty string, got ""/],
    ["   ", /^sessionKey must be a non-empty string/],
    ["agent:", /^sessionKey must be agent:<agentId>:<rest> with no empty part, got "agent:"/],
    ["agent:main:", /^sessionKey must be agent:<agentId>:<rest>/],
    ["x::y", /^sessionKey must be a session key \(no empty part between colons\), got "x::y"/],
  ])("throws E_INVALID_KEY for %j", (key, message) => {
    expectHubError(() => canonicalizeSessionKey(key), "E_INVALID_KEY", message);
  });

  it("throws E_INVALID_KEY for a non-string", () => {
    expectHubError(() => canonicalizeSessionKey(7 as never), "E_INVALID_KEY", /got 7$/);
  });
});

describe("sessionKeyAliases", () => {
  it("lists the clawdbot spellings of a direct key", () => {
    expect(sessionKeyAliases("agent:main:telegram:dm:5550001")).toEqual(["agent:main:telegram:direct:5550001"]);
  });

  it("lists the unencoded and direct spellings of a matrix key, never a lower-cased id (another user)", () => {
    expect(sessionKeyAliases("agent:main:matrix:dm:@Alice%3Amatrix.org")).toEqual([
      "agent:main:matrix:dm:@Alice:matrix.org",
      "agent:main:matrix:direct:@Alice%3Amatrix.org",
      "agent:main:matrix:direct:@Alice:matrix.org",
    ]);
    expect(caseFoldedAliases("agent:main:matrix:dm:@Alice%3Amatrix.org")).toEqual([
      "agent:main:matrix:dm:@alice%3Amatrix.org",
      "agent:main:matrix:dm:@alice%3amatrix.org",
      "agent:main:matrix:dm:@alice:matrix.org",
      "agent:main:matrix:direct:@alice%3Amatrix.org",
      "agent:main:matrix:direct:@alice%3amatrix.org",
      "agent:main:matrix:direct:@alice:matrix.org",
    ]);
  });

  it("lists lower-cased spellings of a matrix key whose ids are lower-case already", () => {
    expect(sessionKeyAliases("agent:main:matrix:dm:@alice%3Amatrix.org")).toContain("agent:main:matrix:dm:@alice%3amatrix.org");
  });

  it("lists group:<id> for a group key", () => {
    expect(sessionKeyAliases("agent:main:slack:group:legacy-team")).toEqual(["group:legacy-team"]);
    expect(sessionKeyAliases("agent:main:signal:group:AbC=")).toEqual(["group:AbC="]);
    expect(caseFoldedAliases("agent:main:signal:group:AbC=")).toEqual(["agent:main:signal:group:abc=", "group:abc="]);
  });

  it("lists no group:<id> for a group thread or a channel", () => {
    expect(sessionKeyAliases("agent:main:telegram:group:-1:topic:5")).toEqual([]);
    expect(sessionKeyAliases("agent:main:slack:channel:c1")).toEqual([]);
  });

  it("is empty for keys without legacy spellings", () => {
    for (const key of ["agent:ops:main", "agent:main:main:thread:1", "global", "cron:x", "group:x", "agent:main:subagent:x", "not a key", ""]) {
      expect(sessionKeyAliases(key)).toEqual([]);
    }
  });

  it("lists clawdbot's bare main key for the default agent, and agent:<a>:main under a custom mainKey", () => {
    expect(sessionKeyAliases("agent:main:main")).toEqual(["main"]);
    expect(sessionKeyAliases("agent:main:work")).toEqual(["agent:main:main", "main", "work"]);
    expect(sessionKeyAliases("agent:ops:work")).toEqual(["agent:ops:main"]);
    expect(sessionKeyAliases("agent:ops:work:thread:7")).toEqual(["agent:ops:main:thread:7"]);
  });

  it("every alias that kept the case canonicalizes back to the key", () => {
    const key = "agent:main:matrix:dm:!AbC%3Aexample.org:thread:$Ev";
    const aliases = sessionKeyAliases(key);
    const caseKept = aliases.filter((alias) => alias.includes("AbC"));
    expect(caseKept).toHaveLength(3);
    expect(aliases.length).toBeLessThanOrEqual(10);
    for (const alias of caseKept) expect(canonicalizeSessionKey(alias)).toBe(key);
  });
});
