/**
 * The queue policy of a conversation (pure): the entry's `queueMode`/`queueCap`/`queueDrop`
 * (set per session, as clawdbot's `/queue` does) over `messages.queue.byChannel[channel]`
 * over `messages.queue.mode`, `cap`, `drop`; defaults as clawdbot's: `collect`, 20, and
 * `old` (clawdbot's default `summarize` keeps a summary of what it drops; we drop the oldest
 * and report it).
 */
import type { HubConfig } from "../config/schema.js";
import type { SessionEntry } from "../backend/shared/entry.js";
import type { QueueDrop, QueueMode, QueueSettings } from "./types.js";

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = { mode: "collect", cap: 20, drop: "old" };

type QueueConfig = NonNullable<NonNullable<HubConfig["messages"]>["queue"]>;

/** A mode as clawdbot spells them; its `queue` is our `followup`. Other values: not set. */
function modeOf(value: unknown): QueueMode | undefined {
  if (value === "followup" || value === "collect" || value === "interrupt") return value;
  return value === "queue" ? "followup" : undefined;
}

function capOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

function dropOf(value: unknown): QueueDrop | undefined {
  return value === "old" || value === "new" ? value : undefined;
}

/** The settings for a message of `channel` in the conversation of `entry` (absent: none yet). */
export function resolveQueueSettings(config: QueueConfig | undefined, channel: string, entry: SessionEntry | undefined): QueueSettings {
  const byChannel = config?.byChannel;
  const channelMode = byChannel === undefined ? undefined : (byChannel[channel] ?? byChannel[channel.toLowerCase()]);
  return {
    mode: modeOf(entry?.queueMode) ?? modeOf(channelMode) ?? modeOf(config?.mode) ?? DEFAULT_QUEUE_SETTINGS.mode,
    cap: capOf(entry?.queueCap) ?? capOf(config?.cap) ?? DEFAULT_QUEUE_SETTINGS.cap,
    drop: dropOf(entry?.queueDrop) ?? dropOf(config?.drop) ?? DEFAULT_QUEUE_SETTINGS.drop,
  };
}
