/**
 * Shared plumbing for the dashboard tests: a file backend with a few sessions, a dashboard
 * on it, plain HTTP requests (node:http, so Host and Origin are ours to set), and the writer
 * child process.
 */
import http from "node:http";
import path from "node:path";
import { openFileBackend, type FileBackend } from "../../src/backend/file/index.js";
import { startDashboard, type Dashboard } from "../../src/dashboard/server.js";
import { REPO_ROOT } from "../support.js";
import { runChild, type ChildRun } from "../backend/file/helpers.js";

export interface Seeded {
  key: string;
  displayName: string;
  channel: string;
  chatType: "direct" | "group" | "channel";
  model?: string;
  minutesAgo: number;
  texts: string[];
}

export const SEED: readonly Seeded[] = [
  { key: "agent:main:telegram:dm:111", displayName: "Alice Moreau", channel: "telegram", chatType: "direct", model: "claude-sonnet-4", minutesAgo: 1, texts: ["Can you move my dentist appointment to Friday?", "Done: Friday 10:30. Anything else?"] },
  { key: "agent:main:slack:channel:c-eng:thread:1712.5", displayName: "#eng-platform", channel: "slack", chatType: "channel", model: "claude-opus-4", minutesAgo: 7, texts: ["deploy of gateway-7 is stuck at 80%", "Rolling back; the health check of eu-2 fails."] },
  { key: "agent:main:discord:group:g-42", displayName: "Ops alerts", channel: "discord", chatType: "group", model: "gpt-4.1", minutesAgo: 42, texts: ["disk 91% on db-3"] },
  { key: "agent:main:whatsapp:dm:+15550102030", displayName: "Bob <b>bold</b>", channel: "whatsapp", chatType: "direct", model: "gpt-4.1-mini", minutesAgo: 180, texts: ["<img src=x onerror=alert(1)> hi", "Hello Bob!"] },
  { key: "agent:main:signal:dm:+4915112345", displayName: "Carla", channel: "signal", chatType: "direct", minutesAgo: 60 * 26, texts: ["see you tomorrow"] },
];

/** A file backend under `stateDir` holding the SEED sessions, their clocks `minutesAgo` before now. */
export async function seededBackend(stateDir: string): Promise<FileBackend> {
  const backend = openFileBackend({ stateDir, durable: false, onWarning: (w) => { throw new Error(`unexpected warning: ${w.message}`); } });
  const now = Date.now();
  for (const [i, s] of SEED.entries()) {
    const at = now - s.minutesAgo * 60_000;
    await backend.append(s.key, `s-${i}`, s.texts.map((content, n) => ({ role: n % 2 === 0 ? "user" : "assistant", content, timestamp: at - (s.texts.length - n) * 1000, meta: n % 2 === 0 ? { senderName: s.displayName.split(" ")[0] ?? "" } : {} })));
    await backend.update(s.key, (draft) => {
      const entry = draft.get(s.key);
      if (entry === undefined) throw new Error("seeded entry missing");
      return draft.set(s.key, { ...entry, updatedAt: at, displayName: s.displayName, channel: s.channel, chatType: s.chatType, ...(s.model ? { model: s.model } : {}), totalTokens: 1800 * (i + 2), contextTokens: 200_000 });
    });
  }
  return backend;
}

export async function seededDashboard(stateDir: string): Promise<{ backend: FileBackend; dashboard: Dashboard; token: string; host: string }> {
  const backend = await seededBackend(stateDir);
  const dashboard = await startDashboard({ backend, onError: (error) => { throw error; } });
  const url = new URL(dashboard.url);
  return { backend, dashboard, token: url.searchParams.get("token") ?? "", host: url.host };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the dashboard; no redirects followed. `Host` defaults to the bound one. */
export function request(dashboard: Dashboard, pathname: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: dashboard.port, path: pathname, method: options.method ?? "GET", headers: { Host: `127.0.0.1:${dashboard.port}`, ...options.headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The writer child (test/cli/children/writer.mjs) running `steps`. */
export function runWriter(stateDir: string, steps: unknown[]): ChildRun {
  return runChild(path.relative(path.join(REPO_ROOT, "test/backend/file/children"), path.join(REPO_ROOT, "test/cli/children/writer.mjs")), [stateDir, JSON.stringify(steps)]);
}
