/**
 * The model and token usage of an agent run, given with its reply: validated, then kept on
 * the session entry as clawdbot keeps them (`model`, `modelProvider`, `inputTokens`,
 * `outputTokens`, `totalTokens`, `contextTokens`: the last run's figures, not a running sum)
 * and on the transcript line as the pi runtime writes an assistant message (`provider`,
 * `model`, `usage: { input, output, totalTokens }`). Pure.
 */
import { HubError, describeValue } from "../errors.js";
import type { SessionEntry } from "../backend/shared/entry.js";
import type { ReplyInput } from "./types.js";

const MAX_NAME = 200;

function assertName(value: unknown, field: string): void {
  if (value === undefined) return;
  if (typeof value !== "string" || value.trim() === "" || value.length > MAX_NAME) {
    throw new HubError("E_INVALID_ARGUMENT", `reply.${field} must be a non-empty string of at most ${MAX_NAME} characters, got ${describeValue(value)}`);
  }
}

function assertCount(value: unknown, field: string, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new HubError("E_INVALID_ARGUMENT", `reply.usage.${field} must be a whole number of tokens >= 0, got ${describeValue(value)}`);
  }
}

/** Throws `E_INVALID_ARGUMENT` naming the first bad field; nothing is written before. */
export function assertRunInfo(reply: ReplyInput): void {
  assertName(reply.model, "model");
  assertName(reply.provider, "provider");
  const { usage } = reply;
  if (usage === undefined) return;
  if (usage === null || typeof usage !== "object") throw new HubError("E_INVALID_ARGUMENT", `reply.usage must be an object, got ${describeValue(usage)}`);
  assertCount(usage.input, "input", true);
  assertCount(usage.output, "output", true);
  assertCount(usage.total, "total", false);
  assertCount(usage.context, "context", false);
}

/** Whether the reply carries anything for the entry. */
export function hasRunInfo(reply: ReplyInput): boolean {
  return reply.model !== undefined || reply.provider !== undefined || reply.usage !== undefined;
}

/** The entry after the run: the fields given replace the last run's (absent ones are kept). */
export function withRunInfo(entry: SessionEntry, reply: ReplyInput): SessionEntry {
  const next: SessionEntry = { ...entry };
  if (reply.model !== undefined) next.model = reply.model;
  if (reply.provider !== undefined) next.modelProvider = reply.provider;
  const usage = reply.usage;
  if (usage !== undefined) {
    next.inputTokens = usage.input;
    next.outputTokens = usage.output;
    next.totalTokens = usage.total ?? usage.input + usage.output;
    if (usage.context !== undefined) next.contextTokens = usage.context;
  }
  return next;
}

/** The fields of the assistant message on its transcript line (the runtime's shape). */
export function runFields(reply: ReplyInput): Record<string, unknown> {
  const usage = reply.usage;
  return {
    ...(reply.provider === undefined ? {} : { provider: reply.provider }),
    ...(reply.model === undefined ? {} : { model: reply.model }),
    ...(usage === undefined ? {} : { usage: { input: usage.input, output: usage.output, totalTokens: usage.total ?? usage.input + usage.output } }),
  };
}
