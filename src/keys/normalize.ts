/**
 * Normalizers for the structural parts of a session key. Pure.
 */

const MAX_ID_LENGTH = 64;
const RESERVED_IDS = new Set(["__proto__", "constructor", "prototype"]);

function normalizeToken(raw: unknown, fallback: string): string {
  if (typeof raw !== "string" && typeof raw !== "number") return fallback;
  const token = String(raw)
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_ID_LENGTH)
    .replace(/-+$/, "");
  if (token === "" || RESERVED_IDS.has(token)) return fallback;
  return token;
}

/** `agentId`: trimmed, lower-cased, runs outside `[a-z0-9_-]` → `-`, ≤ 64 chars; empty → `main`. */
export function normalizeAgentId(raw: unknown): string {
  return normalizeToken(raw, "main");
}

/** `accountId`: like the agent id; empty → `default`. */
export function normalizeAccountId(raw: unknown): string {
  return normalizeToken(raw, "default");
}

const CHANNEL_ALIASES: Readonly<Record<string, string>> = {
  imsg: "imessage",
  gchat: "googlechat",
  "google-chat": "googlechat",
};

/** `channel`: trimmed, lower-cased, with aliases (`imsg`→`imessage`, `gchat`/`google-chat`→`googlechat`). */
export function normalizeChannel(raw: unknown): string {
  if (typeof raw !== "string") return "";
  const channel = raw.trim().toLowerCase();
  return Object.hasOwn(CHANNEL_ALIASES, channel) ? (CHANNEL_ALIASES[channel] as string) : channel;
}
