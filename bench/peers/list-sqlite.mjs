#!/usr/bin/env node
// The plain script `hub sessions --json` is measured against: list every session of an
// SQLite store (bench/peers/sqlite-peer.mjs's schema), newest first, as the same JSON rows.
// Usage: node bench/peers/list-sqlite.mjs <file.sqlite>
import Database from "better-sqlite3";

const file = process.argv[2];
const db = new Database(file, { readonly: true });
const now = Date.now();
const num = (value) => (typeof value === "number" ? value : null);
const str = (value) => (typeof value === "string" ? value : null);
const sessions = db
  .prepare("SELECT key, session_id, updated_at, entry FROM sessions ORDER BY updated_at DESC")
  .all()
  .map(({ key, session_id: sessionId, updated_at: updatedAt, entry: text }) => {
    const entry = JSON.parse(text);
    const parts = key.split(":");
    return {
      key,
      kind: parts[3] === "dm" || parts[3] === "direct" ? "direct" : parts[3] === "group" || parts[3] === "channel" ? "group" : "other",
      sessionId,
      updatedAt,
      ageMs: Math.max(0, now - updatedAt),
      channel: str(entry.channel) ?? parts[2] ?? null,
      chatType: str(entry.chatType),
      displayName: str(entry.displayName),
      label: str(entry.label),
      model: str(entry.modelOverride) ?? str(entry.model),
      inputTokens: num(entry.inputTokens),
      outputTokens: num(entry.outputTokens),
      totalTokens: num(entry.totalTokens),
      contextTokens: num(entry.contextTokens),
    };
  });
db.close();
process.stdout.write(`${JSON.stringify({ path: file, count: sessions.length, activeMinutes: null, sessions }, null, 2)}\n`);
