// The SQLite contender a user would pick instead: better-sqlite3, WAL, synchronous=FULL (a
// commit is fsync'd), one transaction per message doing the hub's work: the dedupe claim,
// the session row read, its metadata and activity clock updated, the transcript line inserted.
import path from "node:path";
import Database from "better-sqlite3";
import { REPLY_TEXT, inboundOf, keyOf, messageLine, newLineId, replyMeta, routeOf, userMeta } from "./workload.mjs";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, session_id TEXT NOT NULL, updated_at INTEGER NOT NULL, entry TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS sessions_updated ON sessions (updated_at);
  CREATE TABLE IF NOT EXISTS messages (session_id TEXT NOT NULL, seq INTEGER NOT NULL, line TEXT NOT NULL, PRIMARY KEY (session_id, seq));
  CREATE TABLE IF NOT EXISTS claims (id TEXT PRIMARY KEY, expires INTEGER NOT NULL);
`;
const CLAIM_TTL_MS = 24 * 60 * 60_000; // the hub's default dedupe TTL

export const sqliteFile = (dir) => path.join(dir, "sessions.sqlite");

function openDb(dir) {
  const db = new Database(sqliteFile(dir));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 30000");
  return db;
}

export function seedSqlite(dir, store) {
  const db = openDb(dir);
  db.exec(SCHEMA);
  const insert = db.prepare("INSERT INTO sessions (key, session_id, updated_at, entry) VALUES (?, ?, ?, ?)");
  db.transaction(() => {
    for (const [key, entry] of Object.entries(store)) insert.run(key, entry.sessionId, entry.updatedAt, JSON.stringify(entry));
  })();
  db.close();
}

export function openSqlite(dir) {
  const db = openDb(dir);
  const claim = db.prepare("INSERT INTO claims (id, expires) VALUES (?, ?) ON CONFLICT (id) DO NOTHING");
  const getSession = db.prepare("SELECT session_id, entry FROM sessions WHERE key = ?");
  const putSession = db.prepare("UPDATE sessions SET updated_at = ?, entry = ? WHERE key = ?");
  const touch = db.prepare("UPDATE sessions SET updated_at = ? WHERE key = ?");
  const last = db.prepare("SELECT seq, json_extract(line, '$.id') AS id FROM messages WHERE session_id = ? ORDER BY seq DESC LIMIT 1");
  const insertLine = db.prepare("INSERT INTO messages (session_id, seq, line) VALUES (?, ?, ?)");

  const append = (sessionId, role, text, meta, now) => {
    const tail = last.get(sessionId);
    insertLine.run(sessionId, (tail?.seq ?? 0) + 1, messageLine(newLineId(), tail?.id ?? null, role, text, meta, now));
  };
  // .immediate: take the write lock up front, as several processes may share the file.
  const receive = db.transaction((conv, message, now) => {
    if (claim.run(`telegram:${message.peerId}:${message.messageId}`, now + CLAIM_TTL_MS).changes === 0) return undefined;
    const key = keyOf(conv);
    const row = getSession.get(key);
    const entry = { ...JSON.parse(row.entry), ...routeOf(conv), updatedAt: now };
    putSession.run(now, JSON.stringify(entry), key);
    append(row.session_id, "user", message.text, userMeta(conv, message.messageId), now);
    return key;
  });
  const reply = db.transaction((key, now) => {
    const row = getSession.get(key);
    append(row.session_id, "assistant", REPLY_TEXT, replyMeta(), now);
    touch.run(now, key);
  });
  return {
    name: "sqlite",
    async round(conv, seq, tag) {
      const key = receive.immediate(conv, inboundOf(conv, seq, tag), Date.now());
      if (key === undefined) throw new Error(`sqlite: message ${tag}-${conv}-${seq} reported as a duplicate`);
      reply.immediate(key, Date.now());
    },
    async close() {
      db.close();
    },
  };
}

/** Transcript rows of the given conversations' sessions. */
export function countSqliteLines(dir, convs) {
  const db = openDb(dir);
  const count = db.prepare("SELECT count(*) AS n FROM messages WHERE session_id = (SELECT session_id FROM sessions WHERE key = ?)");
  let lines = 0;
  for (const conv of convs) lines += count.get(keyOf(conv)).n;
  db.close();
  return lines;
}
