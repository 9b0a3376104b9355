/**
 * Durations in config and options: `"30d"`, `"12h"`, `"90m"`, `"45s"` (parsed by the `ms`
 * package) or a number of milliseconds. Pure.
 */
import ms from "ms";
import { HubError, describeValue } from "../errors.js";

/**
 * The duration in ms; `name` is the parameter named in the error. Throws `E_INVALID_ARGUMENT`
 * unless the result is a finite number > 0.
 */
export function parseDuration(value: string | number, name: string): number {
  const expected = `${name} must be a positive duration such as "30d", "12h", "90m" or a number of ms`;
  let parsed: number | undefined;
  if (typeof value === "number") {
    parsed = value;
  } else if (typeof value === "string" && value.trim() !== "") {
    try {
      parsed = ms(value.trim() as ms.StringValue);
    } catch (error) {
      throw new HubError("E_INVALID_ARGUMENT", `${expected}, got ${describeValue(value)}`, { cause: error });
    }
  }
  if (typeof parsed !== "number" || !Number.isFinite(parsed) || parsed <= 0) {
    throw new HubError("E_INVALID_ARGUMENT", `${expected}, got ${describeValue(value)}`);
  }
  return parsed;
}
