/**
 * clawdbot's display label of a group session: `<channel>:<token>`, e.g.
 * `discord:friends-of-openclaw#general`, `whatsapp:g-family`, `slack:#ops`. Pure.
 */

export interface GroupDisplayNameParams {
  /** The channel (`discord`...). Default: `provider`, else `"group"`. */
  channel?: string | undefined;
  /** clawdbot's name for `channel`. */
  provider?: string | undefined;
  /** The group's subject/title (WhatsApp, Telegram...). */
  subject?: string | undefined;
  /** The room/channel name (`#general`). */
  groupChannel?: string | undefined;
  /** The server/workspace/space name (Discord guild, Slack team...). */
  space?: string | undefined;
  /** The group id, used when there is no readable name. */
  id?: string | undefined;
  /** The session entry's name for `id` (so an entry can be passed as it is). */
  groupId?: string | undefined;
  /** The session key, used when there is neither name nor id. Default `""`. */
  key?: string | undefined;
}

const SHORT_ID_LENGTH = 14;

/**
 * NFC, lower-cased, spaces → `-`, anything but letters, marks and digits of any script and
 * `#@._+-` → `-` (controls, bidi overrides, symbols, emoji), no `--`, no edge `-`/`.`.
 */
function slug(raw: string): string {
  return raw
    .normalize("NFC")
    .trim()
    .toLowerCase()
    .replace(/\s+/gu, "-")
    .replace(/[^\p{L}\p{M}\p{N}#@._+-]+/gu, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
}

/** `abcdef...wxyz` for ids longer than 14 characters. */
function shorten(id: string): string {
  const trimmed = id.trim();
  return trimmed.length <= SHORT_ID_LENGTH ? trimmed : `${trimmed.slice(0, 6)}...${trimmed.slice(-4)}`;
}

function text(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

/** The readable part: `space#channel`, else the channel, the subject or the space. */
function detailOf(params: GroupDisplayNameParams): string {
  const groupChannel = text(params.groupChannel);
  const space = text(params.space);
  if (groupChannel !== "" && space !== "") return `${space}${groupChannel.startsWith("#") ? "" : "#"}${groupChannel}`;
  return groupChannel || text(params.subject) || space;
}

/**
 * clawdbot's group label: `<channel>:<token>`. The token is the slug of `space#groupChannel`,
 * `groupChannel`, `subject` or `space` (first present), else of `id` (or `groupId`), else of
 * `key`; a long id whose slug is empty is shortened first. Without a `#` or `@` (and not already `g-...`) the
 * token gets a `g-` prefix; a leading `#` is kept only when it came from `groupChannel`.
 * When no part has a usable slug the label is the channel alone. Unlike clawdbot, letters
 * of every script are kept (`whatsapp:g-família-são-paulo`, `telegram:g-家族`; clawdbot keeps
 * only `a-z0-9`), and a name whose slug is empty (only emoji) falls back to the id instead of
 * giving the bare channel. A display label only: session keys are not built from it.
 */
export function buildGroupDisplayName(params: GroupDisplayNameParams): string {
  const channel = text(params.channel).toLowerCase() || text(params.provider).toLowerCase() || "group";
  const fallback = text(params.id) || text(params.groupId) || text(params.key);
  let token = "";
  for (const candidate of [detailOf(params), fallback]) {
    if (candidate === "") continue;
    token = slug(candidate) || slug(shorten(candidate));
    if (token !== "") break;
  }
  if (text(params.groupChannel) === "" && token.startsWith("#")) token = token.replace(/^#+/, "");
  if (token !== "" && !token.startsWith("@") && !token.startsWith("#") && !token.startsWith("g-") && !token.includes("#")) {
    token = `g-${token}`;
  }
  return token === "" ? channel : `${channel}:${token}`;
}
