/**
 * E.164 phone numbers for the channels whose direct peers are phone numbers (WhatsApp,
 * Signal). Pure.
 */

/** Channels whose direct peer ids are normalized to E.164 when they are phone numbers. */
export const PHONE_CHANNELS: ReadonlySet<string> = new Set(["whatsapp", "signal"]);

/** WhatsApp user JIDs: `<digits>[:device]@s.whatsapp.net` or `@c.us`. */
const USER_JID = /^(\d+)(?::\d+)?@(?:s\.whatsapp\.net|c\.us)$/i;
const NON_DIGITS = /\D+/g;
/** clawdbot's addresses carry the channel: `whatsapp:+1 555…`, `signal:+1…`. */
const CHANNEL_PREFIX = /^(?:whatsapp|signal):\s*/i;
const MIN_DIGITS = 5;
const MAX_DIGITS = 15;

/** Space, tab, no-break space, `(`, `)`, `-`, `.`: the separators people write in numbers. */
function isSeparator(code: number): boolean {
  return code === 32 || code === 9 || code === 160 || code === 40 || code === 41 || code === 45 || code === 46;
}

/**
 * `+<digits>` when `raw` is a phone number (5 to 15 digits, an optional leading `+`, the
 * separators ` ().-`), or a WhatsApp user JID such as `15551234567@s.whatsapp.net`, either
 * optionally after a `whatsapp:` or `signal:` prefix; otherwise `undefined`.
 * `+1 (555) 010-2030` → `+15550102030`, `whatsapp:+1 555 555 0123` → `+15555550123`.
 */
export function normalizeE164(raw: string): string | undefined {
  const text = raw.trim().replace(CHANNEL_PREFIX, "");
  if (text.indexOf("@") !== -1) {
    const jid = USER_JID.exec(text);
    return jid ? `+${jid[1] as string}` : undefined;
  }
  let digits = 0;
  let onlyDigits = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) digits++;
    else if ((code === 43 && i === 0) || isSeparator(code)) onlyDigits = false;
    else return undefined;
  }
  if (digits < MIN_DIGITS || digits > MAX_DIGITS) return undefined;
  return onlyDigits ? `+${text}` : `+${text.replace(NON_DIGITS, "")}`;
}

/** True for an id already in E.164 form, which `normalizeE164` returns unchanged (hot-path check). */
export function isAlreadyE164(text: string): boolean {
  if (text.length < MIN_DIGITS + 1 || text.length > MAX_DIGITS + 1 || text.charCodeAt(0) !== 43) return false;
  for (let i = 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}
