// Telegram webhook updates → session-hub inbound messages. Everything in an update comes
// from the network: it is checked here, and anything unexpected is refused (400) or ignored.

/** Telegram's own limit on a message's text. */
const MAX_TEXT = 4096;
const CHAT_TYPES = { private: "direct", group: "group", supergroup: "group", channel: "channel" };

const isInt = (value) => Number.isSafeInteger(value);
const isName = (value) => typeof value === "string" && value.length > 0 && value.length <= 256;

/**
 * The inbound message of a Telegram update: `{ message }` when it is a text message,
 * `{ ignore }` for an update the gateway does not handle (edits, stickers...), `{ error }`
 * when the update is malformed.
 */
export function inboundOf(update) {
  if (update === null || typeof update !== "object" || !isInt(update.update_id)) return { error: "update_id must be an integer" };
  const message = update.message;
  if (message === undefined) return { ignore: "not a new message" };
  if (message === null || typeof message !== "object" || !isInt(message.message_id)) return { error: "message.message_id must be an integer" };
  const chat = message.chat;
  if (chat === null || typeof chat !== "object" || !isInt(chat.id) || !(chat.type in CHAT_TYPES)) return { error: "message.chat must have an integer id and a known type" };
  if (typeof message.text !== "string") return { ignore: "not a text message" };
  if (message.text.length > MAX_TEXT) return { error: `message.text is longer than ${MAX_TEXT} characters` };
  const from = message.from !== null && typeof message.from === "object" && isInt(message.from.id) ? message.from : undefined;
  const inbound = {
    channel: "telegram",
    chatType: CHAT_TYPES[chat.type],
    peerId: String(chat.id),
    // A redelivered update keeps its update_id: the hub answers it as a duplicate.
    messageId: String(update.update_id),
    text: message.text,
    ...(isInt(message.date) ? { timestamp: message.date * 1000 } : {}),
    ...(from === undefined ? {} : { senderId: String(from.id) }),
    ...(from !== undefined && isName(from.first_name) ? { senderName: from.first_name } : {}),
    ...(isName(chat.title) ? { groupSubject: chat.title } : {}),
    ...(isInt(message.message_thread_id) ? { threadId: message.message_thread_id } : {}),
  };
  return { message: inbound, chatId: chat.id };
}
