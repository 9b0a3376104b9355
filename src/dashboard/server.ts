/**
 * `startDashboard`: the web dashboard's HTTP server (node:http). Every request passes the
 * Host check (421: DNS rebinding), then the token (a cookie; the first visit's `?token=` is
 * exchanged for it and stripped by a redirect; 401 without), then the routes: the page's
 * static files, the JSON API, the event stream, and POST routes that also check `Origin`.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LiveBackend } from "../backend/types.js";
import { channels, resetSession, sessionsPage, statusOf, transcriptPage } from "./api.js";
import { EventHub } from "./events.js";
import { SECURITY_HEADERS, allowedHosts, cookieOf, hostPort, newToken, originAllowed, tokenCookie, tokenMatches } from "./security.js";
import { loadStaticFiles, type StaticFile } from "./static.js";

export interface DashboardOptions {
  backend: LiveBackend;
  /** The address to bind. Default `127.0.0.1` (loopback only). */
  host?: string | undefined;
  /** The port; 0 (the default) picks a free one. */
  port?: number | undefined;
  /** The access token. Default: 32 random bytes. */
  token?: string | undefined;
  /** Told about failures inside the server (a feed error, a failed request). Default: ignored after a 500. */
  onError?: ((error: unknown) => void) | undefined;
}

export interface Dashboard {
  /** `http://<host>:<port>/?token=<token>`: what to open (loopback when bound to every address). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops accepting requests, ends the event streams and waits for the server to close. */
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;

interface Context {
  backend: LiveBackend;
  token: string;
  cookieName: string;
  hosts: Set<string>;
  files: Map<string, StaticFile>;
  events: EventHub;
  onError: (error: unknown) => void;
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...headers });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, "application/json; charset=utf-8", JSON.stringify(value));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) reject(new Error("request body too large"));
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

/** The token check; on the first visit, `?token=` becomes the cookie. True when the request may go on. */
function authorize(ctx: Context, request: IncomingMessage, response: ServerResponse, url: URL): boolean {
  const fromUrl = url.searchParams.get("token") ?? undefined;
  if (request.method === "GET" && fromUrl !== undefined && tokenMatches(fromUrl, ctx.token)) {
    url.searchParams.delete("token");
    send(response, 303, "text/plain; charset=utf-8", "", { Location: url.pathname + url.search, "Set-Cookie": tokenCookie(ctx.cookieName, ctx.token) });
    return false;
  }
  if (tokenMatches(cookieOf(request, ctx.cookieName), ctx.token)) return true;
  send(response, 401, "text/plain; charset=utf-8", "Unauthorized: open the URL that `hub dashboard` printed.\n");
  return false;
}

async function route(ctx: Context, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const { backend } = ctx;
  if (request.method === "POST") {
    if (!originAllowed(request, ctx.hosts)) return send(response, 403, "text/plain; charset=utf-8", "Forbidden: cross-origin request\n");
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) return send(response, 415, "text/plain; charset=utf-8", "Send JSON\n");
    if (url.pathname !== "/api/reset") return send(response, 404, "text/plain; charset=utf-8", "Not found\n");
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch (error) {
      return sendJson(response, 400, { error: `invalid body: ${(error as Error).message}` });
    }
    return sendJson(response, 200, await resetSession(backend, body));
  }
  if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, "text/plain; charset=utf-8", "Method not allowed\n", { Allow: "GET, HEAD, POST" });
  switch (url.pathname) {
    case "/api/sessions":
      return sendJson(response, 200, await sessionsPage(backend, url.searchParams));
    case "/api/channels":
      return sendJson(response, 200, await channels(backend));
    case "/api/transcript":
      return sendJson(response, 200, await transcriptPage(backend, url.searchParams));
    case "/api/events":
      if (request.method !== "GET") return send(response, 405, "text/plain; charset=utf-8", "Method not allowed\n", { Allow: "GET" });
      return ctx.events.add(response, url.searchParams.get("key") ?? undefined);
  }
  const file = ctx.files.get(url.pathname);
  if (file === undefined) return send(response, 404, "text/plain; charset=utf-8", "Not found\n");
  send(response, 200, file.type, file.body, { "Cache-Control": "no-cache" });
}

async function handle(ctx: Context, request: IncomingMessage, response: ServerResponse): Promise<void> {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
  const host = (request.headers.host ?? "").toLowerCase();
  if (!ctx.hosts.has(host)) return send(response, 421, "text/plain; charset=utf-8", "Misdirected request: unknown Host\n");
  const url = new URL(request.url ?? "/", `http://${host}`);
  if (!authorize(ctx, request, response, url)) return;
  try {
    await route(ctx, request, response, url);
  } catch (error) {
    const status = statusOf(error);
    if (status === 500) ctx.onError(error);
    if (!response.headersSent) sendJson(response, status, { error: (error as Error).message });
    else response.destroy();
  }
}

/** Starts the dashboard; resolves once it listens. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? "127.0.0.1";
  const onError = options.onError ?? (() => undefined);
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const token = options.token ?? newToken();
  const events = new EventHub(options.backend, onError);
  const ctx: Context = { backend: options.backend, token, cookieName: `hub_dashboard_${port}`, hosts: allowedHosts(host, port), files: loadStaticFiles(), events, onError };
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    handle(ctx, request, response).catch((error: unknown) => {
      onError(error);
      response.destroy();
    });
  });
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return {
    url: `http://${hostPort(shown, port)}/?token=${token}`,
    host,
    port,
    close: async () => {
      events.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
