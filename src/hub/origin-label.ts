/**
 * The conversation label stored in `origin.label`, as clawdbot writes it: the sender's name in
 * a direct chat; in a group the subject with ` id:<id>` appended when the id is numeric or a
 * WhatsApp group JID (`Family id:123@g.us`, `Ops id:42`), so two groups with one subject stay
 * apart. Pure.
 */

export interface LabelInput {
  chatType: "direct" | "group" | "channel";
  /** The peer (direct) or group/channel id. */
  to?: string | undefined;
  senderId?: string | undefined;
  senderName?: string | undefined;
  groupSubject?: string | undefined;
}

const NUMERIC = /^[0-9]+$/;

function text(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** Whether clawdbot would append ` id:<id>` to `base`. */
function wantsId(base: string, id: string): boolean {
  if (!NUMERIC.test(id) && !id.toLowerCase().includes("@g.us")) return false;
  if (base.includes(id) || base.toLowerCase().includes(" id:")) return false;
  return !base.startsWith("#") && !base.startsWith("@");
}

/** The label, or undefined when nothing names the conversation. */
export function conversationLabel(input: LabelInput): string | undefined {
  const to = text(input.to);
  if (input.chatType === "direct") return text(input.senderName) ?? text(input.senderId) ?? to;
  const base = text(input.groupSubject) ?? to;
  if (base === undefined || to === undefined) return base;
  return wantsId(base, to) ? `${base} id:${to}` : base;
}
