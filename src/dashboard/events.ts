/**
 * Live updates for the dashboard: one change feed of the backend shared by every open page
 * (started with the first, stopped with the last), fanned out as Server-Sent Events. A page
 * watching the list gets `session` events (the key and whether it still exists); a page
 * showing one transcript also gets that key's messages. A client that stops reading is
 * disconnected (its browser reconnects and re-reads), so no buffer grows without bound.
 */
import type { ServerResponse } from "node:http";
import type { Change, LiveBackend } from "../backend/types.js";

/** Bytes queued for one client before it counts as gone. */
const MAX_BUFFERED = 1 << 20;
const HEARTBEAT_MS = 15_000;

interface Client {
  response: ServerResponse;
  /** The transcript this page shows, if any. */
  key: string | undefined;
}

export class EventHub {
  private readonly clients = new Set<Client>();
  private controller: AbortController | undefined;
  private feedLive = false;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly backend: LiveBackend,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Streams events to `response` until the client goes away. */
  add(response: ServerResponse, key: string | undefined): void {
    response.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", Connection: "keep-alive" });
    response.write("retry: 1000\n\n");
    const client: Client = { response, key };
    this.clients.add(client);
    response.on("close", () => this.remove(client));
    if (this.feedLive) this.send(client, "resync", {});
    this.start();
  }

  /** Ends every stream and the feed. */
  close(): void {
    for (const client of this.clients) client.response.end();
    this.clients.clear();
    this.stop();
  }

  private remove(client: Client): void {
    this.clients.delete(client);
    if (this.clients.size === 0) this.stop();
  }

  private start(): void {
    if (this.controller !== undefined) return;
    const controller = new AbortController();
    this.controller = controller;
    this.heartbeat = setInterval(() => this.broadcast(() => ": keep-alive\n\n"), HEARTBEAT_MS);
    void (async () => {
      for await (const change of this.backend.watch({ signal: controller.signal, maxQueued: 5_000 })) this.dispatch(change);
    })()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        // The feed ended on its own (the backend closed, an error): pages reconnect and start another.
        if (this.controller === controller) {
          this.stop();
          for (const client of this.clients) client.response.end();
        }
      });
  }

  private stop(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.feedLive = false;
    clearInterval(this.heartbeat);
  }

  private dispatch(change: Change): void {
    if (change.type === "resync") {
      this.feedLive = true;
      this.broadcast(() => frame("resync", {}));
    } else if (change.type === "session") {
      const data = frame("session", { key: change.key, sessionId: change.entry?.sessionId ?? null });
      this.broadcast(() => data);
    } else {
      const data = frame("message", { key: change.key, sessionId: change.sessionId, message: change.message });
      this.broadcast((client) => (client.key === change.key ? data : undefined));
    }
  }

  private broadcast(frameFor: (client: Client) => string | undefined): void {
    for (const client of this.clients) {
      const data = frameFor(client);
      if (data !== undefined) this.write(client, data);
    }
  }

  private send(client: Client, event: string, data: unknown): void {
    this.write(client, frame(event, data));
  }

  private write(client: Client, data: string): void {
    if (client.response.writableLength > MAX_BUFFERED) {
      client.response.destroy();
      return;
    }
    client.response.write(data);
  }
}

/** One SSE frame; JSON never contains a raw newline, so one `data:` line suffices. */
function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
