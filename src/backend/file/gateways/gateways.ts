/**
 * The gateway registry: the message sources a deployment runs (a WhatsApp number, a Telegram
 * bot...), persisted in `<stateDir>/gateways.json` with the same lock and atomic write as the
 * session store. Small by nature, so it is read whole each time.
 */
import fs from "node:fs/promises";
import path from "node:path";
import JSON5 from "json5";
import { HubError, describeValue, isErrnoCode } from "../../../errors.js";
import { writeFileAtomic } from "../fs/atomic.js";
import { isPlainObject } from "../../shared/entry.js";
import { withLock, type LockOptions } from "../lock/lock.js";

export interface GatewayRecord<TConfig = Record<string, unknown>> {
  gatewayId: string;
  name: string;
  /** The channel it serves: `whatsapp`, `telegram`... */
  type: string;
  config?: TConfig;
  active: boolean;
  registeredAt: number;
  updatedAt: number;
  removedAt?: number;
}

export interface GatewayInput<TConfig = Record<string, unknown>> {
  gatewayId: string;
  name: string;
  type: string;
  config?: TConfig | undefined;
}

export const GATEWAYS_FILE_NAME = "gateways.json";
const LOCK: LockOptions = { timeoutMs: 60_000, staleMs: 10_000 };

type Registry<T> = Record<string, GatewayRecord<T>>;

async function readRegistry<T>(file: string): Promise<Registry<T>> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return Object.create(null) as Registry<T>;
    throw new HubError("E_IO", `cannot read ${file}: ${(error as Error).message}`, { cause: error, file });
  }
  let data: unknown;
  try {
    data = JSON5.parse(text);
  } catch (error) {
    throw new HubError("E_CORRUPT_STORE", `${file} is not valid JSON: ${(error as Error).message}`, { cause: error, file });
  }
  if (!isPlainObject(data)) throw new HubError("E_CORRUPT_STORE", `${file} must hold a JSON object, found ${describeValue(data)}`, { file });
  return Object.assign(Object.create(null) as Registry<T>, data);
}

function assertInput(input: GatewayInput<unknown>): void {
  for (const field of ["gatewayId", "name", "type"] as const) {
    if (typeof input[field] !== "string" || input[field].trim() === "") {
      throw new HubError("E_INVALID_ARGUMENT", `gateway ${field} must be a non-empty string, got ${describeValue(input[field])}`);
    }
  }
}

export interface GatewayRegistry<TConfig> {
  register(input: GatewayInput<TConfig>): Promise<GatewayRecord<TConfig>>;
  remove(gatewayId: string): Promise<boolean>;
  list(options?: { activeOnly?: boolean }): Promise<Array<GatewayRecord<TConfig>>>;
}

export function openGatewayRegistry<TConfig>(stateDir: string, now: () => number, durable = true): GatewayRegistry<TConfig> {
  const file = path.join(stateDir, GATEWAYS_FILE_NAME);
  const change = <R>(fn: (registry: Registry<TConfig>) => R) =>
    withLock(file, LOCK, async (lock) => {
      const registry = await readRegistry<TConfig>(file);
      const result = fn(registry);
      await writeFileAtomic(file, JSON.stringify(registry, null, 2), { durable, beforeRename: () => lock.assertOwned() });
      return result;
    });
  return {
    // Async, so that invalid input rejects rather than throws.
    async register(input) {
      assertInput(input);
      return change((registry) => {
        const at = now();
        const previous = registry[input.gatewayId];
        const record: GatewayRecord<TConfig> = {
          gatewayId: input.gatewayId,
          name: input.name,
          type: input.type,
          ...(input.config === undefined ? {} : { config: input.config }),
          active: true,
          registeredAt: previous?.registeredAt ?? at,
          updatedAt: at,
        };
        registry[input.gatewayId] = record;
        return structuredClone(record);
      });
    },
    remove(gatewayId) {
      return change((registry) => {
        const record = registry[gatewayId];
        if (!record?.active) return false;
        registry[gatewayId] = { ...record, active: false, removedAt: now(), updatedAt: now() };
        return true;
      });
    },
    async list(options = {}) {
      const records = Object.values(await readRegistry<TConfig>(file));
      return records.filter((r) => !options.activeOnly || r.active).sort((a, b) => a.registeredAt - b.registeredAt);
    },
  };
}
