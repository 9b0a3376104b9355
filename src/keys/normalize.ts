/**
 * Normalizers for the structural parts of a session key. Pure.
 */

const MAX_ID_LENGTH = 64;
const RESERVED_IDS = new Set(["__proto__", "constructor", "prototype"]);
/** A token that is already normalized: `[a-z0-9_-]`, no leading/trailing `-`, at most 64 chars. */
const NORMALIZED_TOKEN = /^(?:[a-z0-9_]|[a-z0-9_][a-z0-9_-]{0,62}[a-z0-9_])$/;

/**
 * The structural words of the key grammar. A channel, account id or main key equal to one of
 * them would make a key ambiguous, so the builder refuses them.
 */
export const STRUCTURAL_WORDS: ReadonlySet<string> = new Set(["dm", "direct", "group", "channel"]);

/** The normalized token, or `undefined` when it is empty or a reserved name. */
export function normalizeTokenOrUndefined(raw: unknown): string | undefined {
  if (typeof raw === "string" && NORMALIZED_TOKEN.test(raw)) return RESERVED_IDS.has(raw) ? undefined : raw;
  if (typeof raw !== "string" && typeof raw !== "number") return undefined;
  const token = String(raw)
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_ID_LENGTH)
    .replace(/-+$/, "");
  if (token === "" || RESERVED_IDS.has(token)) return undefined;
  return token;
}

/** `agentId`: trimmed, lower-cased, runs outside `[a-z0-9_-]` → `-`, ≤ 64 chars; empty → `main`. */
export function normalizeAgentId(raw: unknown): string {
  return normalizeTokenOrUndefined(raw) ?? "main";
}

/** `accountId`: like the agent id; empty → `default`. */
export function normalizeAccountId(raw: unknown): string {
  return normalizeTokenOrUndefined(raw) ?? "default";
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

/** `mainKey`: trimmed, lower-cased; empty → `main`. */
export function normalizeMainKey(raw: unknown): string {
  if (typeof raw !== "string") return "main";
  return raw.trim().toLowerCase() || "main";
}
