// A Telegram-style webhook gateway on node:http and session-hub's run API.
//
//   PORT=8080 HUB_STATE_DIR=./state node examples/telegram-gateway/server.mjs
//
// POST /telegram/webhook with a Telegram update. The reply comes back in the response as
// Telegram's webhook reply (`{ "method": "sendMessage", ... }`); a duplicate, a dropped or
// an ignored update gets `{ "ok": true, ... }`. Set TELEGRAM_SECRET to require Telegram's
// X-Telegram-Bot-Api-Secret-Token header.
import http from "node:http";
import { timingSafeEqual } from "node:crypto";
import { createHub } from "session-hub";
import { echoAgent } from "./agent.mjs";
import { inboundOf } from "./telegram.mjs";

const MAX_BODY = 64 * 1024;
const secret = process.env.TELEGRAM_SECRET;
const hub = await createHub();
/** Replies already delivered: a collected turn answers several updates with one reply. */
const delivered = new Set();

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(Object.assign(new Error("body too large"), { status: 413 }));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function authorized(req) {
  if (secret === undefined) return true;
  const given = Buffer.from(String(req.headers["x-telegram-bot-api-secret-token"] ?? ""));
  const wanted = Buffer.from(secret);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

async function handleUpdate(req, res) {
  if (!authorized(req)) return send(res, 401, { ok: false, error: "bad secret token" });
  let update;
  try {
    update = JSON.parse(await readBody(req));
  } catch (error) {
    return send(res, error.status ?? 400, { ok: false, error: error.status ? error.message : "body is not JSON" });
  }
  const parsed = inboundOf(update);
  if (parsed.error) return send(res, 400, { ok: false, error: parsed.error });
  if (parsed.ignore) return send(res, 200, { ok: true, ignored: parsed.ignore });
  const result = await hub.run(parsed.message, echoAgent);
  const reply = result.status === "done" ? result.replies.find((r) => r.sent && !delivered.has(r.message.id)) : undefined;
  if (reply === undefined) return send(res, 200, { ok: true, status: result.status, ...(result.reason ? { reason: result.reason } : {}) });
  delivered.add(reply.message.id);
  if (delivered.size > 10_000) delivered.delete(delivered.values().next().value);
  send(res, 200, { method: "sendMessage", chat_id: parsed.chatId, text: reply.message.content });
}

const server = http.createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/telegram/webhook") return send(res, 404, { ok: false, error: "not found" });
  handleUpdate(req, res).catch((error) => {
    // The agent or the store failed. Telegram redelivers on a 5xx; an update whose message is
    // already in the transcript comes back as a duplicate.
    process.stderr.write(`turn failed: ${error?.stack ?? error}\n`);
    if (!res.headersSent) send(res, 500, { ok: false, error: "internal error" });
  });
});

server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? "127.0.0.1", () => {
  const { address, port } = server.address();
  process.stdout.write(`listening on http://${address}:${port}\n`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.close();
    // Waits for turns in flight and queued ones, then closes the store.
    hub.close().then(() => process.exit(0));
  });
}
