/**
 * Rendering the messages since the agent's last reply in clawdbot's wrapper, so the agent
 * sees what it missed and knows which message to answer. Pure.
 */

export const CONTEXT_HEADER = "[Chat messages since your last reply - for context]";
export const CURRENT_HEADER = "[Current message - respond to this]";

export interface ContextMessage {
  text: string;
  senderName?: string | undefined;
  senderId?: string | undefined;
}

export interface FormatContextOptions {
  /** Label each line with its sender (groups). Default false. */
  isGroup?: boolean | undefined;
}

function line(message: ContextMessage, isGroup: boolean): string {
  const sender = message.senderName ?? message.senderId;
  return isGroup && sender ? `${sender}: ${message.text}` : message.text;
}

/**
 * The last message is the current one; any before it are context. With no context the
 * current message is returned as it is (labelled in groups).
 */
export function formatContext(messages: readonly ContextMessage[], options: FormatContextOptions = {}): string {
  const isGroup = options.isGroup ?? false;
  const current = messages.at(-1);
  if (current === undefined) return "";
  const earlier = messages.slice(0, -1);
  if (earlier.length === 0) return line(current, isGroup);
  return [CONTEXT_HEADER, ...earlier.map((m) => line(m, isGroup)), "", CURRENT_HEADER, line(current, isGroup)].join("\n");
}
