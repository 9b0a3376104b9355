/**
 * The one error class session-hub raises. Code branches on `code`, never on the message.
 */
export type HubErrorCode =
  | "E_CORRUPT_STORE"
  | "E_INVALID_KEY"
  | "E_INVALID_ENTRY"
  | "E_INVALID_ARGUMENT"
  | "E_INVALID_CONFIG"
  | "E_NOT_FOUND"
  | "E_INVALID_SESSION_FILE"
  | "E_LOCK_TIMEOUT"
  | "E_LOCK_COMPROMISED"
  | "E_STORE_CLOSED"
  | "E_NO_SPACE"
  | "E_READ_ONLY"
  | "E_NOT_A_STORE"
  | "E_STORE_TOO_LARGE"
  | "E_BACKEND_UNAVAILABLE"
  | "E_STORE_EXISTS"
  | "E_IO";

export class HubError extends Error {
  override readonly name = "HubError";
  readonly code: HubErrorCode;
  /** The file the error is about, when there is one. */
  readonly file: string | undefined;

  constructor(code: HubErrorCode, message: string, options: { cause?: unknown; file?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
  }
}

/** True for a Node.js system error with the given `code` (ENOENT, EEXIST...). */
export function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/** A short quoted rendering of an arbitrary value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
