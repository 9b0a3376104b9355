#!/usr/bin/env node
// npm run demo: a gateway's day on a temporary state dir, then `hub sessions` and a transcript.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createHub, runCli } from "../dist/index.js";

const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "session-hub-demo-"));
let clock = Date.parse("2026-11-20T09:00:00Z");
const now = () => clock;
const advance = (minutes) => (clock += minutes * 60_000);

const hub = await createHub({
  stateDir,
  now,
  models: ["anthropic/claude-sonnet", "openai/gpt-5"],
  config: {
    session: {
      identityLinks: { alice: ["telegram:111", "discord:222"] },
      reset: { mode: "daily", atHour: 4 },
      timezone: "Europe/Berlin",
      resetByType: { group: { mode: "idle", idleMinutes: 120 } },
      sendPolicy: { rules: [{ action: "deny", match: { channel: "slack", chatType: "channel" } }] },
    },
  },
});
const show = (label, r) =>
  console.log(
    r.duplicate
      ? `  ${label.padEnd(34)} → duplicate, ignored`
      : `  ${label.padEnd(34)} → ${r.sessionKey}${r.isNewSession ? ` (new: ${r.resetReason})` : ""}${r.resetReason === "trigger" ? ` body="${r.body}" model=${r.model}` : ""}`,
  );

console.log(`State dir: ${stateDir}\n\nInbound messages:`);
await hub.registerGateway({ gatewayId: "tg-bot", name: "Telegram bot", type: "telegram" });
await hub.registerGateway({ gatewayId: "wa-main", name: "WhatsApp +1 555 010 2030", type: "whatsapp" });

show("telegram DM from alice (111)", await hub.receive({ channel: "telegram", chatType: "direct", peerId: "111", senderName: "Alice", messageId: "tg-1", text: "Morning! What's on my calendar?" }));
await hub.reply("agent:main:dm:alice", { text: "Standup at 10, lunch with Sam at 12:30." });
advance(3);
show("discord DM from alice (222)", await hub.receive({ channel: "discord", chatType: "direct", peerId: "222", senderName: "Alice", messageId: "dc-1", text: "Move lunch to 1pm please" }));
show("whatsapp DM (+1 555 010 2030)", await hub.receive({ channel: "whatsapp", from: "whatsapp:+1 (555) 010-2030", senderName: "Bob", messageId: "wa-1", text: "Is the report done?" }));
await hub.reply("agent:main:whatsapp:dm:+15550102030", { text: "Yes, sent it to you an hour ago." });
show("whatsapp group Family", await hub.receive({ channel: "whatsapp", from: "120363012345@g.us", groupSubject: "Family", senderName: "Mum", messageId: "wa-2", text: "Dinner on Sunday?" }));
show("  ...redelivered after reconnect", await hub.receive({ channel: "whatsapp", from: "120363012345@g.us", groupSubject: "Family", senderName: "Mum", messageId: "wa-2", text: "Dinner on Sunday?" }));
show("slack thread in #eng (C0ENG)", await hub.receive({ channel: "slack", chatType: "channel", peerId: "C0ENG", threadId: "1732000000.000100", senderName: "Dana", messageId: "sl-1", text: "Can the bot summarize this thread?" }));
const denied = await hub.reply("agent:main:slack:channel:c0eng:thread:1732000000.000100", { text: "Summary: ..." });
console.log(`  reply in slack #eng thread             → sent: ${denied.sent} (sendPolicy denies slack channels; kept in transcript)`);

advance(60 * 20); // next morning, past the 04:00 Berlin boundary
show("telegram DM, next morning", await hub.receive({ channel: "telegram", chatType: "direct", peerId: "111", senderName: "Alice", messageId: "tg-2", text: "Any news?" }));
advance(1);
show("telegram: /new openai/gpt-5 + text", await hub.receive({ channel: "telegram", chatType: "direct", peerId: "111", senderName: "Alice", messageId: "tg-3", text: "/new openai/gpt-5 Plan my week" }));
advance(180);
show("whatsapp group, 3h idle", await hub.receive({ channel: "whatsapp", from: "120363012345@g.us", groupSubject: "Family", senderName: "Dad", messageId: "wa-3", text: "Sunday works" }));

const entry = await hub.session("agent:main:dm:alice");
console.log(`\nalice's session: ${entry.sessionId} (model override ${entry.providerOverride}/${entry.modelOverride}; previous ${entry.previousSessionIds.length})`);
console.log(`Gateways: ${(await hub.listGateways()).map((g) => g.name).join(", ")}`);
await hub.close();

const io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), now };
console.log("\n$ hub sessions");
await runCli(["sessions", "--state-dir", stateDir], io);
const thread = "agent:main:slack:channel:c0eng:thread:1732000000.000100";
console.log(`\n$ hub transcript ${thread}`);
await runCli(["transcript", thread, "--state-dir", stateDir], io);
console.log(`\n(state kept in ${stateDir})`);
