/**
 * Reset triggers (`/new`, `/reset`, configured extras) in an inbound message (SPEC 4.2). Pure.
 */
import { HubError, describeValue } from "../errors.js";
import { DEFAULT_RESET_TRIGGERS } from "./defaults.js";


export interface ResetTriggerOptions {
  /** Extra triggers, added to `/new` and `/reset`. Default none. */
  triggers?: readonly string[] | undefined;
  /** Strip leading mentions (`@bot`, `<@U123>`, `<@!123>`) first. Default false. */
  isGroup?: boolean | undefined;
  /** Models `/new <model>` may name: ids, aliases or `provider/model`. Default none (no model parsing). */
  models?: readonly string[] | undefined;
  /** False for a sender the gateway does not allow to reset: never a match. Default true. */
  authorized?: boolean | undefined;
}

export interface ResetTriggerMatch {
  /** The rest of the message (original case, leading whitespace removed); may be empty. */
  body: string;
  /** The entry of `models` the first word of the rest named (removed from `body`). */
  model?: string;
}

/** One leading mention and the whitespace after it: Slack/Discord `<@...>`, or `@name` then whitespace. */
const LEADING_MENTION = /^(?:<@[^>\s]*>\s*|@\S+(?:\s+|$))/u;
/** A Telegram command addressed to a bot: `/new@my_bot`. */
const BOT_SUFFIX = /^@[A-Za-z0-9_]+/;

/**
 * clawdbot's `/cmd: args` form (`/new: plan`, `/new:`): the command, its colon and spaces. The
 * colon must follow the command directly: in `/new : x` it is text of the body.
 */
const COLON_FORM = /^(\/[^\s:]+):\s*/u;

/** `/cmd: args` → `/cmd args`; anything else unchanged. */
function withoutCommandColon(text: string): string {
  const match = COLON_FORM.exec(text);
  return match === null ? text : `${match[1] as string} ${text.slice(match[0].length)}`;
}

function stripMentions(text: string): string {
  let rest = text;
  let mention = LEADING_MENTION.exec(rest);
  while (mention !== null) {
    rest = rest.slice(mention[0].length);
    mention = LEADING_MENTION.exec(rest);
  }
  return rest;
}

/** The text after `trigger` when `text` starts with it as a whole word (case-insensitive). */
function afterTrigger(text: string, trigger: string): string | undefined {
  if (text.slice(0, trigger.length).toLowerCase() !== trigger.toLowerCase()) return undefined;
  let rest = text.slice(trigger.length);
  rest = rest.replace(BOT_SUFFIX, "");
  if (rest !== "" && !/^\s/u.test(rest)) return undefined;
  return rest.trimStart();
}

/** The model a token names: an exact entry, else a `provider/<token>` entry (case-insensitive). */
export function findModel(token: string, models: readonly string[]): string | undefined {
  const wanted = token.toLowerCase();
  const exact = models.find((model) => model.toLowerCase() === wanted);
  if (exact !== undefined) return exact;
  return models.find((model) => {
    const slash = model.indexOf("/");
    return slash > 0 && model.slice(slash + 1).toLowerCase() === wanted;
  });
}

function triggerList(extra: readonly string[] | undefined): string[] {
  if (extra !== undefined && !Array.isArray(extra)) {
    throw new HubError("E_INVALID_ARGUMENT", `triggers must be an array of strings, got ${describeValue(extra)}`);
  }
  const all = [...DEFAULT_RESET_TRIGGERS, ...(extra ?? [])]
    .filter((t): t is string => typeof t === "string")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  // Longest first, so "/reset all" wins over "/reset".
  return [...new Set(all)].sort((a, b) => b.length - a.length);
}

/**
 * Matches a reset trigger: the trimmed text (in groups without leading mentions) equals a
 * trigger or starts with one followed by whitespace, case-insensitively (`/newfoo` does not
 * match; Telegram's `/new@bot` and clawdbot's `/new: plan` do). Returns the remainder as `body` (the message is never
 * dropped), with a leading model token moved to `model` when `models` names it; `null` for
 * no trigger or an unauthorized sender.
 */
export function matchResetTrigger(text: string, options: ResetTriggerOptions = {}): ResetTriggerMatch | null {
  if (typeof text !== "string") throw new HubError("E_INVALID_ARGUMENT", `text must be a string, got ${describeValue(text)}`);
  if (options.authorized === false) return null;
  const trimmed = text.trim();
  const candidate = withoutCommandColon(options.isGroup === true ? stripMentions(trimmed) : trimmed);
  for (const trigger of triggerList(options.triggers)) {
    const rest = afterTrigger(candidate, trigger);
    if (rest === undefined) continue;
    const models = options.models ?? [];
    const token = /^\S+/u.exec(rest)?.[0];
    const model = token === undefined || models.length === 0 ? undefined : findModel(token, models);
    if (model === undefined || token === undefined) return { body: rest };
    return { body: rest.slice(token.length).trimStart(), model };
  }
  return null;
}
