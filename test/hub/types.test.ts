/**
 * The generic type parameters of `createHub`: callers type their channel names and their
 * gateways' config. Checked by the typecheck step (`tsc`), and run as a smoke test.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { GatewayRecord } from "../../src/backend/file/gateways/gateways.js";
import type { Hub, InboundMessage, ReceiveResult } from "../../src/hub.js";
import { useHub } from "./helpers.js";

const t = useHub();

type Channel = "telegram" | "whatsapp";
interface GatewayConfig {
  token: string;
  webhook?: string;
}

describe("generic type parameters", () => {
  it("type the channel of inbound messages and the config of gateways", async () => {
    const { createHub } = await import("../../src/hub.js");
    const hub = await createHub<Channel, GatewayConfig>({ stateDir: t.dir(), now: t.clock().now, durable: false });
    expectTypeOf(hub).toEqualTypeOf<Hub<Channel, GatewayConfig>>();
    expectTypeOf<InboundMessage<Channel>["channel"]>().toEqualTypeOf<Channel>();
    // @ts-expect-error: "discord" is not one of this gateway's channels
    const wrongChannel: InboundMessage<Channel> = { channel: "discord", text: "x" };
    expect(wrongChannel.channel).toBe("discord");

    const record = await hub.registerGateway({ gatewayId: "tg", name: "Telegram", type: "telegram", config: { token: "t" } });
    expectTypeOf(record).toEqualTypeOf<GatewayRecord<GatewayConfig>>();
    expect(record.config?.token).toBe("t");
    // @ts-expect-error: the config must be a GatewayConfig
    await expect(hub.registerGateway({ gatewayId: "x", name: "X", type: "telegram", config: { tokn: "t" } })).resolves.toBeDefined();

    const result = await hub.receive({ channel: "telegram", peerId: "1", text: "hi" });
    expectTypeOf(result).toEqualTypeOf<ReceiveResult>();
    if (!result.duplicate) expectTypeOf(result.sessionKey).toBeString();
    await hub.close();
  });
});
