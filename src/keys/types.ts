/**
 * The types of the session-key module: what an inbound message tells us, the options that
 * shape its key, and what a parsed key holds.
 */

/** The chat types a key distinguishes. */
export type KeyChatType = "direct" | "group" | "channel";

/** What `parseSessionKey` says a key is. */
export type SessionKeyKind = "main" | "direct" | "group" | "channel" | "cron" | "hook" | "node" | "global" | "other";

/** How direct messages map to sessions (SPEC 3.1). */
export type DmScope = "main" | "per-peer" | "per-channel-peer" | "per-account-channel-peer";

/** The parts of a session key, as `parseSessionKey` returns them. Absent parts are omitted. */
export interface ParsedSessionKey {
  kind: SessionKeyKind;
  /** Every `agent:` key has one (normalized). */
  agentId?: string;
  /** Normalized; absent on per-peer (`agent:<a>:dm:<id>`) and main keys. */
  channel?: string;
  /** Only on per-account-channel-peer keys (normalized). */
  accountId?: string;
  /** `direct` on direct keys, `group`/`channel` on group and channel keys. */
  chatType?: KeyChatType;
  /** The peer, group or channel id, decoded (`%3A` → `:`), case as written. */
  peerId?: string;
  /** The thread or Telegram topic id, decoded. */
  threadId?: string;
  /** Only on main keys (normalized). */
  mainKey?: string;
}

/** What the gateway knows about an inbound message. Every field may come from the network. */
export interface SessionKeyContext {
  /** `telegram`, `whatsapp`... Default: inferred from a `<channel>:` prefix of `from`, or `whatsapp` for `@g.us`. */
  channel?: string | undefined;
  /** Default: inferred from `from` (`group:`, `:group:`, `channel:`, `:channel:`, `@g.us`), else `direct`. */
  chatType?: "direct" | "dm" | "group" | "channel" | "room" | undefined;
  /** The sender (direct) or the group/channel id. Default: parsed from `from`. */
  peerId?: string | undefined;
  /** The raw sender/chat address, e.g. `telegram:group:-100123`, `whatsapp:+1 555...`, `123@g.us`. */
  from?: string | undefined;
  /** The bot account that received the message; used by `per-account-channel-peer`. Default `default`. */
  accountId?: string | undefined;
  /** Set only when the thread/topic should be its own session. */
  threadId?: string | number | undefined;
  /** An explicit key from the caller: canonicalized and returned as is. */
  sessionKey?: string | undefined;
}

/** Options of `resolveSessionKey` (the clawdbot `session` config section's shape). */
export interface ResolveSessionKeyOptions {
  /** The agent the key belongs to. Default `"main"`. */
  agentId?: string | undefined;
  /** The main session's key. Default `"main"`. */
  mainKey?: string | undefined;
  /** How direct messages map to sessions. Default `"per-channel-peer"`. */
  dmScope?: DmScope | undefined;
  /**
   * `{ canonical: ["telegram:123", "discord:456", "789"] }`: a linked peer gets
   * `agent:<a>:dm:<canonical>` under every dmScope but `main`. Read once per object (cached
   * by identity): pass a new object to change it. Default: none.
   */
  identityLinks?: Readonly<Record<string, readonly string[]>> | undefined;
  /** `"global"`: every message shares the key `global`. Default `"per-sender"`. */
  scope?: "per-sender" | "global" | undefined;
  /** Channels whose ids keep their case (replaces the default). Default `["matrix", "signal"]`. */
  caseSensitiveChannels?: readonly string[] | undefined;
}
