/** The run API's machinery for `createHub` (see runner.ts); the public types are in types.ts. */
import type { Backend } from "../backend/types.js";
import type { HubConfig } from "../config/schema.js";
import { HubError, describeValue } from "../errors.js";
import type { InboundMessage, ReceiveResult, ReplyInput, ReplyResult } from "../hub/types.js";
import { resolveQueueSettings } from "./queue-settings.js";
import { Runner } from "./runner.js";
import type { RunHandler } from "./types.js";

export type * from "./types.js";
export { Runner };

/** A runner over the hub's own `receive` and `reply`, with the config's queue policy. */
export function createRunner(hub: {
  backend: Backend;
  config: HubConfig;
  receive(message: InboundMessage<string>): Promise<ReceiveResult>;
  reply(sessionKey: string, reply: ReplyInput): Promise<ReplyResult>;
}): Runner {
  return new Runner({
    // Read when used: the hub may still be under construction.
    get backend() {
      return hub.backend;
    },
    receive: (message) => hub.receive(message),
    reply: (sessionKey, reply) => hub.reply(sessionKey, reply),
    settings: (channel, entry) => resolveQueueSettings(hub.config.messages?.queue, channel, entry),
  });
}

export function assertHandler(handler: unknown): asserts handler is RunHandler {
  if (typeof handler !== "function") throw new HubError("E_INVALID_ARGUMENT", `run needs a function for the turn, got ${describeValue(handler)}`);
}
