/**
 * A config written as a plain object literal (no `as const`) type-checks: in a variable
 * (its strings widened to `string`) passed to `createHub`, or through `defineConfig`, which
 * also checks field names and value types. Wrong input is still rejected. Compiled by
 * test/types/types.test.ts; validated at runtime by `createHub` as always.
 */
import { createHub, defineConfig, type HubConfig } from "../../src/index.js";

const config = {
  session: {
    dmScope: "per-peer",
    reset: { mode: "idle", idleMinutes: 30, timezone: "Europe/Berlin" },
    resetByType: { group: { mode: "daily", atHour: 5 } },
    resetByChannel: { discord: { mode: "never" } },
    resetTriggers: ["/fresh"],
    sendPolicy: { default: "allow", rules: [{ action: "deny", match: { channel: "discord", chatType: "group" } }] },
    maintenance: { pruneAfter: "14d", maxEntries: 200 },
  },
  messages: { dedupe: { ttl: "1h" }, inbound: { debounceMs: 500 } },
};

export const defined: HubConfig = defineConfig({
  session: { dmScope: "per-peer", reset: { mode: "idle", idleMinutes: 30 } },
  messages: { dedupe: { ttl: 3_600_000 } },
});

export async function open(): Promise<void> {
  await createHub({ config });
  await createHub({ config: defined });
  await createHub({ config: defineConfig(config as never) });
  // @ts-expect-error: a typo in a field name
  defineConfig({ session: { dmScop: "per-peer" } });
  // @ts-expect-error: a value outside the allowed ones
  defineConfig({ session: { dmScope: "per-pear" } });
  // @ts-expect-error: atHour is a number
  defineConfig({ session: { reset: { atHour: "4" } } });
  const wrongType = { session: { reset: { atHour: "4" } } };
  // @ts-expect-error: a variable with a wrongly typed field
  await createHub({ config: wrongType });
  // @ts-expect-error: a config is an object or a file path
  await createHub({ config: 42 });
}
