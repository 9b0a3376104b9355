import { describe, expect, it } from "vitest";
import { buildGroupDisplayName, type GroupDisplayNameParams } from "../../src/keys/index.js";

describe("buildGroupDisplayName", () => {
  const cases: Array<[GroupDisplayNameParams, string]> = [
    [{ channel: "discord", space: "Friends of OpenClaw", groupChannel: "#general", key: "k" }, "discord:friends-of-openclaw#general"],
    [{ channel: "discord", space: "Friends of OpenClaw", groupChannel: "general", key: "k" }, "discord:friends-of-openclaw#general"],
    [{ channel: "whatsapp", subject: "Family", id: "123@g.us", key: "k" }, "whatsapp:g-family"],
    [{ provider: "Slack", groupChannel: "#ops", key: "k" }, "slack:#ops"],
    [{ channel: "telegram", subject: "#hashtag club", key: "k" }, "telegram:g-hashtag-club"],
    [{ channel: "telegram", id: "-1001234567890", key: "k" }, "telegram:g-1001234567890"],
    [{ channel: "matrix", id: "@room:server.org", key: "k" }, "matrix:@room-server.org"],
    [{ channel: "signal", subject: "g-team", key: "k" }, "signal:g-team"],
    [{ key: "group:legacy-team" }, "group:g-group-legacy-team"],
    // Letters and digits of any script stay (clawdbot slugs them away; issue 14 item 4).
    [{ channel: "whatsapp", subject: "Família São Paulo", id: "1@g.us", key: "k" }, "whatsapp:g-família-são-paulo"],
    [{ channel: "whatsapp", subject: "Fami\u0301lia", key: "k" }, "whatsapp:g-família"],
    [{ channel: "telegram", subject: "家族", id: "-100999", key: "k" }, "telegram:g-家族"],
    [{ channel: "telegram", subject: "Семья ٣", key: "k" }, "telegram:g-семья-٣"],
    [{ channel: "telegram", subject: "हिन्दी", key: "k" }, "telegram:g-हिन्दी"],
    [{ channel: "telegram", subject: "Team\u202e\u001b[2J 🏡", key: "k" }, "telegram:g-team-2j"],
    [{ channel: "telegram", subject: "🏡🏡", id: "-100999", key: "k" }, "telegram:g-100999"],
    [{ channel: "x", subject: "  Mixed   CASE  Name!! ", key: "k" }, "x:g-mixed-case-name"],
    [{ channel: "whatsapp", groupId: "120363-42@g.us" }, "whatsapp:g-120363-42@g.us"],
    [{}, "group"],
  ];
  it.each(cases)("%j → %s", (params, expected) => {
    expect(buildGroupDisplayName(params)).toBe(expected);
  });
});
