/**
 * The dashboard server's front door, over real HTTP: DNS rebinding (Host), the token and its
 * cookie, the Origin check of POSTs, the security headers, and the bounded JSON API.
 */
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { FileBackend } from "../../src/backend/file/index.js";
import type { Dashboard } from "../../src/dashboard/server.js";
import { useTempDir } from "../support.js";
import { SEED, request, seededDashboard } from "./helpers.js";

const tmp = useTempDir("hub-dash-");
let open: { backend: FileBackend; dashboard: Dashboard } | undefined;

afterEach(async () => {
  await open?.dashboard.close();
  await open?.backend.close();
  open = undefined;
});

async function start() {
  const started = await seededDashboard(tmp());
  open = started;
  const cookieName = `hub_dashboard_${started.dashboard.port}`;
  return { ...started, cookie: `${cookieName}=${started.token}`, origin: `http://${started.host}` };
}

describe("hub dashboard server", () => {
  it("prints a loopback URL with a token, on a free port", async () => {
    const { dashboard, token } = await start();
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(dashboard.port).toBeGreaterThan(0);
    expect(token).toHaveLength(43);
  });

  it("answers 421 to a Host that is not the bound address (DNS rebinding), even with the token", async () => {
    const { dashboard, cookie, token } = await start();
    for (const host of ["evil.example", `evil.example:${dashboard.port}`, `127.0.0.1:${dashboard.port + 1}`, `127.0.0.1`]) {
      const reply = await request(dashboard, `/?token=${token}`, { headers: { Host: host, Cookie: cookie } });
      expect(reply.status, host).toBe(421);
      expect(reply.headers["set-cookie"]).toBeUndefined();
      expect(reply.headers["content-security-policy"]).toContain("default-src 'self'");
    }
    expect((await request(dashboard, "/", { headers: { Host: `localhost:${dashboard.port}`, Cookie: cookie } })).status).toBe(200);
  });

  it("answers 401 without the token or with a wrong one, for the page, its files and the API", async () => {
    const { dashboard, token } = await start();
    for (const path of ["/", "/app.js", "/api/sessions", "/api/events", `/?token=${token.slice(0, -1)}x`, "/?token="]) {
      const reply = await request(dashboard, path);
      expect(reply.status, path).toBe(401);
      expect(reply.body).not.toContain("<script");
    }
    expect((await request(dashboard, "/api/sessions", { headers: { Cookie: `hub_dashboard_${dashboard.port}=${token}x` } })).status).toBe(401);
    // A cookie for another dashboard (another port) does not count.
    expect((await request(dashboard, "/api/sessions", { headers: { Cookie: `hub_dashboard_1=${token}` } })).status).toBe(401);
  });

  it("exchanges ?token= for an HttpOnly, SameSite=Strict cookie and strips it from the URL", async () => {
    const { dashboard, token, cookie } = await start();
    const reply = await request(dashboard, `/?token=${token}&view=x`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe("/?view=x");
    expect(reply.headers["set-cookie"]).toEqual([`${cookie}; HttpOnly; SameSite=Strict; Path=/`]);
    const page = await request(dashboard, "/", { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body).toContain('<script type="module" src="/app.js">');
    expect(page.body).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=/);
  });

  it("sends a CSP without inline script or style, nosniff and frame-ancestors 'none' on every response", async () => {
    const { dashboard, cookie } = await start();
    for (const path of ["/", "/app.js", "/style.css", "/api/sessions", "/missing"]) {
      const reply = await request(dashboard, path, { headers: { Cookie: cookie } });
      const csp = reply.headers["content-security-policy"] ?? "";
      expect(csp, path).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(reply.headers["x-content-type-options"]).toBe("nosniff");
    }
    expect((await request(dashboard, "/missing", { headers: { Cookie: cookie } })).status).toBe(404);
    expect((await request(dashboard, "/../package.json", { headers: { Cookie: cookie } })).status).toBe(404);
  });

  it("refuses a POST without Origin or from another origin; resets the session for its own page", async () => {
    const { dashboard, backend, cookie, origin } = await start();
    const key = SEED[0]?.key ?? "";
    const post = (headers: Record<string, string>) => request(dashboard, "/api/reset", { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json", ...headers }, body: JSON.stringify({ key }) });
    expect((await post({})).status).toBe(403);
    expect((await post({ Origin: "http://evil.example" })).status).toBe(403);
    expect((await post({ Origin: `https://${new URL(origin).host}` })).status).toBe(403);
    expect((await post({ Origin: "null" })).status).toBe(403);
    expect((await post({ Origin: origin, "Content-Type": "application/x-www-form-urlencoded" })).status).toBe(415);
    expect(await backend.get(key)).toBeDefined();
    const ok = await post({ Origin: origin });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ key, deleted: true });
    expect(await backend.get(key)).toBeUndefined();
    expect((await request(dashboard, "/api/reset", { headers: { Cookie: cookie } })).status).toBe(404);
  });

  it("pages sessions newest first on the server, filtered by channel and text; bad parameters are 400", async () => {
    const { dashboard, cookie } = await start();
    const get = async (query: string) => {
      const reply = await request(dashboard, `/api/sessions?${query}`, { headers: { Cookie: cookie } });
      return { status: reply.status, body: JSON.parse(reply.body) as { total: number; sessions: Array<{ key: string }>; error?: string } };
    };
    const page = await get("limit=2&offset=1");
    expect(page.body.total).toBe(SEED.length);
    expect(page.body.sessions.map((s) => s.key)).toEqual([SEED[1]?.key, SEED[2]?.key]);
    expect((await get("channel=slack")).body.sessions.map((s) => s.key)).toEqual([SEED[1]?.key]);
    expect((await get("q=ALICE")).body.sessions.map((s) => s.key)).toEqual([SEED[0]?.key]);
    expect((await get("q=o&limit=1")).body).toMatchObject({ total: 4, sessions: [{ key: SEED[0]?.key }] });
    for (const bad of ["limit=0", "limit=201", "limit=-1", "offset=x", "limit=1e3"]) expect((await get(bad)).status, bad).toBe(400);
    const transcript = await request(dashboard, `/api/transcript?key=${encodeURIComponent(SEED[0]?.key ?? "")}&limit=1`, { headers: { Cookie: cookie } });
    const body = JSON.parse(transcript.body) as { messages: Array<{ content: string }>; before: string | null };
    expect(body.messages.map((m) => m.content)).toEqual([SEED[0]?.texts[1]]);
    expect(body.before).toEqual(expect.any(String));
    expect((await request(dashboard, "/api/transcript", { headers: { Cookie: cookie } })).status).toBe(400);
  });

  it("streams resync, then session and (for its key) message events, as Server-Sent Events", async () => {
    const { dashboard, backend, cookie } = await start();
    const key = SEED[0]?.key ?? "";
    let text = "";
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: "127.0.0.1", port: dashboard.port, path: `/api/events?key=${encodeURIComponent(key)}`, headers: { Host: `127.0.0.1:${dashboard.port}`, Cookie: cookie } }, resolve).on("error", reject);
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    response.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    const until = async (what: string) => {
      const deadline = Date.now() + 15_000;
      while (!text.includes(what)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${text}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await until("event: resync");
    await backend.append(key, "s-0", [{ role: "user", content: "live one" }]);
    await backend.append(SEED[1]?.key ?? "", "s-1", [{ role: "user", content: "other key" }]);
    await until('"content":"live one"');
    await until(`event: session\ndata: {"key":${JSON.stringify(SEED[1]?.key)},"sessionId":"s-1"}`);
    expect(text).not.toContain("other key");
    response.destroy();
  });
});
