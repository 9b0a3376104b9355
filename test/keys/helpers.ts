import { expect } from "vitest";
import { HubError, type HubErrorCode } from "../../src/errors.js";

/** Runs `fn`, expecting a `HubError` with `code` whose message matches `message`. */
export function expectHubError(fn: () => unknown, code: HubErrorCode, message?: RegExp): HubError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(HubError);
  const error = thrown as HubError;
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}
