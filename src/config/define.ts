/**
 * Typing a configuration written in code without `as const`: `defineConfig` gives a literal
 * its type in place (field names and values checked as it is written), and `HubConfigInput`
 * is what a plain object literal kept in a variable infers to (every string widened to
 * `string`), accepted by `createHub`. Either way the values are validated at runtime
 * (`E_INVALID_CONFIG`), as for a config file.
 */
import type { HubConfig } from "./schema.js";

/** `T` with every string literal union widened to `string`, deeply. */
type Widen<T> = T extends string
  ? string
  : T extends readonly (infer U)[]
    ? ReadonlyArray<Widen<U>>
    : T extends (...args: never[]) => unknown
      ? T
      : T extends object
        ? { [K in keyof T]: Widen<T[K]> }
        : T;

/** A `HubConfig` as a plain object literal infers it: strings where the schema lists values. */
export type HubConfigInput = Widen<HubConfig>;

/** Returns `config` as it is, typed: `createHub({ config: defineConfig({ session: { dmScope: "per-peer" } }) })`. */
export function defineConfig(config: HubConfig): HubConfig {
  return config;
}
