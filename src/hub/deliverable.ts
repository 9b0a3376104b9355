/**
 * Whether a reply has anything to deliver. Pure.
 */
import { isPlainObject } from "../backend/shared/entry.js";
import type { MessageContent } from "../backend/shared/transcript-format.js";

/**
 * Text that is not only whitespace, or a block that is not text (an image, a file). A reply
 * with neither is never "sent" (openclaw skips such a payload as empty), though it is kept in
 * the transcript like any other reply.
 */
export function hasDeliverableContent(content: MessageContent): boolean {
  if (typeof content === "string") return content.trim() !== "";
  return content.some((block) => !isPlainObject(block) || block.type !== "text" || (typeof block.text === "string" && block.text.trim() !== ""));
}
