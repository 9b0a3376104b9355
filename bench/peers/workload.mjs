// The workload every contender of the peers suite runs: clawdbot-shaped session entries
// (lean ~0.47 KB, or fat ~8 KB with a skill-snapshot-like blob as openclaw keeps), the
// Telegram DM of one round and its reply, and transcript lines in the pi v3 shape.
import { randomBytes, randomUUID } from "node:crypto";

export const AGENT_ID = "main";
export const USER_TEXT = "Morning! Could you move my 3 pm call with the design team to tomorrow and tell Sam?";
export const REPLY_TEXT = "Done: the design call is now tomorrow at 3 pm, and I sent Sam a note with the new time.";

export const peerOf = (i) => String(7_000_000_000 + i * 7919);
export const keyOf = (i) => `agent:${AGENT_ID}:telegram:dm:${peerOf(i)}`;

const SKILLS = ["calendar", "mail", "github", "notion", "weather", "spotify", "home-assistant", "browser", "files", "shell", "maps", "news", "translate", "reminders"];

/** A stand-in for openclaw's skillsSnapshot: the skills prompt and the list it was built from. */
function skillsSnapshot(i) {
  const skills = SKILLS.map((name) => ({ name, primaryEnv: `${name.toUpperCase().replace("-", "_")}_TOKEN`, version: `1.${i % 7}.0` }));
  const prompt = SKILLS.map(
    (name) =>
      `<skill name="${name}">\nUse the ${name} skill when the user asks for anything ${name}-related. ` +
      `It reads its credentials from the environment, never asks for them in chat, and reports failures verbatim. ` +
      `Examples: "check my ${name}", "what changed in ${name} since yesterday", "summarise ${name} for the week". ` +
      `Limits: at most 20 calls per turn; results over 4 KB are truncated with a note; never call it for small talk.\n</skill>`,
  ).join("\n");
  return { version: 3, builtAt: 1_795_000_000_000 + i, prompt: `<available_skills>\n${prompt}\n</available_skills>`, skills };
}

/** One Telegram DM session as clawdbot stores it; `updatedAt` is recent so no reset fires. */
export function entryOf(i, fat, updatedAt) {
  const peer = peerOf(i);
  const entry = {
    sessionId: randomUUID(),
    updatedAt,
    chatType: "direct",
    deliveryContext: { channel: "telegram", to: peer },
    lastChannel: "telegram",
    lastTo: peer,
    origin: { label: `User ${i}`, provider: "telegram", from: `telegram:${peer}` },
    inputTokens: 1_200 + i,
    outputTokens: 800,
  };
  if (fat) entry.skillsSnapshot = skillsSnapshot(i);
  return entry;
}

/** The seeded store as a map, every contender starting from the same entries. */
export function storeOf(n, fat, now) {
  const store = {};
  for (let i = 0; i < n; i++) store[keyOf(i)] = entryOf(i, fat, now - i * 10);
  return store;
}

/** The inbound message of round `seq` of conversation `conv` (messageId unique per run and tag). */
export function inboundOf(conv, seq, tag) {
  return { channel: "telegram", chatType: "direct", peerId: peerOf(conv), senderName: `User ${conv}`, messageId: `${tag}-${conv}-${seq}`, text: USER_TEXT };
}

export const newLineId = () => randomBytes(4).toString("hex");

/** A transcript message line shaped as session-hub writes it (pi v3 `message` entry). */
export function messageLine(id, parentId, role, text, meta, now) {
  const message = { role, content: text, timestamp: now };
  return `${JSON.stringify({ type: "message", id, parentId, timestamp: new Date(now).toISOString(), message, meta })}\n`;
}

export const userMeta = (conv, messageId) => ({ channel: "telegram", senderId: peerOf(conv), senderName: `User ${conv}`, gatewayMessageId: messageId });
export const replyMeta = () => ({ channel: "telegram" });

/** Route fields a received DM sets on its entry (what the hub's route metadata step writes). */
export function routeOf(conv) {
  const peer = peerOf(conv);
  return { chatType: "direct", channel: "telegram", lastChannel: "telegram", lastTo: peer, deliveryContext: { channel: "telegram", to: peer } };
}

/** Parses "1k,10k,100k,1k-fat" into [{ n, fat, label }]. */
export function parseSizes(text) {
  return text.split(",").map((token) => {
    const match = /^(\d+)(k?)(-fat)?$/.exec(token.trim());
    if (!match) throw new Error(`--sizes: expected tokens like 1k, 10k, 100k, 1k-fat; got "${token}"`);
    const n = Number(match[1]) * (match[2] ? 1000 : 1);
    if (n < 2) throw new Error(`--sizes: a store needs at least 2 entries (one conversation per phase), got "${token}"`);
    return { n, fat: match[3] !== undefined, label: `${match[1]}${match[2]}${match[3] ?? ""}` };
  });
}

export function percentile(values, p) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export const median = (values) => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const round = (value, digits = 2) => (value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));
export const ratio = (a, b, digits = 2) => (a === undefined || b === undefined || a === null || b === null || b === 0 ? null : round(a / b, digits));
