/**
 * The transcript line format of clawdbot's agent runtime (pi-coding-agent, session version 3):
 * building the header and message lines, parsing one line back, and `messageText`. Pure.
 */
import { HubError, describeValue } from "../../errors.js";
import { MAX_DATE_MS } from "../../lifecycle/defaults.js";
import { isPlainObject } from "./entry.js";

export const TRANSCRIPT_VERSION = 3;

export type MessageRole = "user" | "assistant" | "system" | "tool" | (string & {});

export interface TextBlock {
  type: "text";
  text: string;
}

/** A content block: `{ type: "text", text }`, or any other block the runtime knows (images, tool calls...). */
export type ContentBlock = TextBlock | { type: string; [field: string]: unknown };

export type MessageContent = string | ContentBlock[];

/** Where a message came from, stored on the transcript line next to the message. */
export interface MessageMeta {
  channel?: string | undefined;
  accountId?: string | undefined;
  senderId?: string | undefined;
  senderName?: string | undefined;
  gatewayMessageId?: string | undefined;
  threadId?: string | number | undefined;
  replyToId?: string | undefined;
  /** Further JSON fields are kept as given. */
  [field: string]: unknown;
}

/** What `appendMessage` takes. Fields other than these go into the stored `message` object as given. */
export interface AppendMessageInput {
  role: MessageRole;
  content: MessageContent;
  /** Epoch ms. Default: the store's clock. */
  timestamp?: number | undefined;
  meta?: MessageMeta | undefined;
  [field: string]: unknown;
}

/**
 * One message as stored and read back. Fields the runtime keeps on its messages besides
 * role, content and timestamp (an assistant's `api`, `provider`, `model`, `usage`,
 * `stopReason`, a tool result's `toolCallId`...) are kept on this object as they were.
 */
export interface StoredMessage {
  /** Unique within its transcript. */
  id: string;
  /** The id of the transcript entry before it (any entry type), null for the first. */
  parentId: string | null;
  role: MessageRole;
  content: MessageContent;
  /** Epoch ms. */
  timestamp: number;
  meta?: MessageMeta;
  api?: string;
  provider?: string;
  model?: string;
  usage?: Record<string, unknown>;
  stopReason?: string;
  [field: string]: unknown;
}

/** A validated message, serialized once, waiting for its id and parentId. */
export interface PreparedMessage {
  /** The `message` object of the line, as JSON. */
  readonly messageJson: string;
  /** The `meta` object of the line as JSON, when there is meta. */
  readonly metaJson: string | undefined;
  /** The line's ISO `timestamp` (when it was appended). */
  readonly writtenAt: string;
  /** Everything of the stored message except id and parentId. */
  readonly body: Omit<StoredMessage, "id" | "parentId">;
}

const RESERVED = new Set(["id", "parentId", "meta", "role", "content", "timestamp"]);

function invalid(message: string): HubError {
  return new HubError("E_INVALID_ARGUMENT", message);
}

function assertContent(content: unknown): asserts content is MessageContent {
  if (typeof content === "string") return;
  if (!Array.isArray(content)) {
    throw invalid(`message.content must be a string or an array of content blocks, got ${describeValue(content)}`);
  }
  content.forEach((block: unknown, index) => {
    if (!isPlainObject(block) || typeof block.type !== "string") {
      throw invalid(`message.content[${index}] must be an object with a string "type", got ${describeValue(block)}`);
    }
    if (block.type === "text" && typeof block.text !== "string") {
      throw invalid(`message.content[${index}].text must be a string, got ${describeValue(block.text)}`);
    }
  });
}

const KNOWN_META = new Set(["channel", "accountId", "senderId", "senderName", "gatewayMessageId", "threadId", "replyToId"]);

/** Sets `field` as an own property (a `"__proto__"` field is data, never a prototype). */
function setOwn(target: Record<string, unknown>, field: string, value: unknown): void {
  if (field === "__proto__") Object.defineProperty(target, field, { value, enumerable: true, writable: true, configurable: true });
  else target[field] = value;
}

function prepareMeta(meta: unknown): MessageMeta | undefined {
  if (meta === undefined) return undefined;
  if (!isPlainObject(meta)) throw invalid(`message.meta must be a plain object, got ${describeValue(meta)}`);
  const kept: MessageMeta = {};
  let fields = 0;
  for (const field of Object.keys(meta)) {
    const value = meta[field];
    if (value === undefined) continue;
    const isId = field === "threadId" ? typeof value === "string" || typeof value === "number" : typeof value === "string";
    if (KNOWN_META.has(field) && !isId) {
      const expected = field === "threadId" ? "a string or a number" : "a string";
      throw invalid(`message.meta.${field} must be ${expected}, got ${describeValue(value)}`);
    }
    setOwn(kept, field, value);
    fields++;
  }
  return fields > 0 ? kept : undefined;
}

function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new HubError("E_INVALID_ARGUMENT", `${what} must be JSON-serializable: ${(error as Error).message}`, { cause: error });
  }
}

/** Validates what a caller passed to `appendMessage` and serializes it. `now` is the store's clock. */
export function prepareMessage(input: unknown, now: number): PreparedMessage {
  if (!isPlainObject(input)) throw invalid(`message must be a plain object, got ${describeValue(input)}`);
  const { role, content, timestamp, meta } = input;
  if (typeof role !== "string" || role === "") throw invalid(`message.role must be a non-empty string, got ${describeValue(role)}`);
  assertContent(content);
  if (timestamp !== undefined && (typeof timestamp !== "number" || !Number.isFinite(timestamp) || timestamp < 0 || timestamp > MAX_DATE_MS)) {
    throw invalid(`message.timestamp must be epoch ms (a finite number from 0 to ${MAX_DATE_MS}), got ${describeValue(timestamp)}`);
  }
  const keptMeta = prepareMeta(meta);
  const message: Record<string, unknown> = { role, content };
  for (const field of Object.keys(input)) {
    const value = input[field];
    if (!RESERVED.has(field) && value !== undefined) setOwn(message, field, value);
  }
  message.timestamp = timestamp ?? now;
  const body = { ...message } as Omit<StoredMessage, "id" | "parentId">;
  if (keptMeta) body.meta = keptMeta;
  return {
    messageJson: toJson(message, "message"),
    metaJson: keptMeta ? toJson(keptMeta, "message.meta") : undefined,
    writtenAt: new Date(now).toISOString(),
    body,
  };
}

/** The first line of a transcript. */
export function headerLine(sessionId: string, sessionKey: string, now: number): string {
  return JSON.stringify({ type: "session", version: TRANSCRIPT_VERSION, id: sessionId, timestamp: new Date(now).toISOString(), cwd: "", sessionKey });
}

/** The line of one message entry (without the newline). */
export function messageLine(id: string, parentId: string | null, prepared: PreparedMessage): string {
  const meta = prepared.metaJson === undefined ? "" : `,"meta":${prepared.metaJson}`;
  return `{"type":"message","id":${JSON.stringify(id)},"parentId":${JSON.stringify(parentId)},"timestamp":"${prepared.writtenAt}","message":${prepared.messageJson}${meta}}`;
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined; // a torn or hand-damaged line: readers skip it
  }
}

/**
 * What one line says about the entry chain: `{ header: true }` for the session header, the
 * entry's id for any other entry, or undefined for a malformed line or one without an id.
 */
export function parseChainLink(line: string): { header: true } | { id: string } | undefined {
  const value = parseObject(line);
  if (value === undefined) return undefined;
  if (value.type === "session") return { header: true };
  return typeof value.id === "string" ? { id: value.id } : undefined;
}

/** The message on a line, or undefined for other line types and malformed lines. */
export function parseMessageLine(line: string): StoredMessage | undefined {
  if (!line.includes('"message"')) return undefined;
  const value = parseObject(line);
  if (value === undefined || value.type !== "message" || typeof value.id !== "string") return undefined;
  const message = value.message;
  if (!isPlainObject(message) || typeof message.role !== "string") return undefined;
  const stored: StoredMessage = {
    id: value.id,
    parentId: typeof value.parentId === "string" ? value.parentId : null,
    role: message.role,
    content: typeof message.content === "string" || Array.isArray(message.content) ? (message.content as MessageContent) : "",
    timestamp: typeof message.timestamp === "number" ? message.timestamp : Date.parse(String(value.timestamp)) || 0,
  };
  for (const [field, fieldValue] of Object.entries(message)) {
    if (!RESERVED.has(field)) Object.defineProperty(stored, field, { value: fieldValue, enumerable: true, writable: true, configurable: true });
  }
  if (isPlainObject(value.meta)) stored.meta = value.meta as MessageMeta;
  return stored;
}

/**
 * The text of a message whatever its content shape: a string content as it is, the `text`
 * of an array's text blocks joined with a newline (other blocks are skipped), else "".
 */
export function messageText(message: { content?: unknown } | null | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const block of content) {
    if (isPlainObject(block) && block.type === "text" && typeof block.text === "string") texts.push(block.text);
  }
  return texts.join("\n");
}
