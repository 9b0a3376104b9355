// Where a Postgres turn's time goes: the statements (round trips) of one inbound turn (claim +
// user message) and one reply turn, counted by wrapping pg's Client.query in this process,
// with the server time of each statement kind from a durable cluster (fsync on).
// Run: npm run build && node bench/postgres-profile.mjs
import pg from "pg";
import { openPostgresBackend } from "../dist/backend/postgres/index.js";
import { startCluster } from "../test/support/postgres-cluster.mjs";

const seen = [];
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === "string" ? config : config?.text ?? "";
  const start = process.hrtime.bigint();
  const result = query.call(this, config, ...rest);
  if (result && typeof result.then === "function") {
    result.then(
      () => seen.push({ text: text.replace(/\s+/g, " ").slice(0, 60), ms: Number(process.hrtime.bigint() - start) / 1e6 }),
      () => undefined,
    );
  }
  return result;
};

const ROUNDS = 200;
const cluster = await startCluster({ fsync: true });
try {
  const backend = await openPostgresBackend({ connectionString: await cluster.createDatabase("profile"), schema: "bench" });
  const key = "agent:main:telegram:dm:1";
  const turn = (seq, reply) =>
    backend.turn({
      key,
      ...(reply ? {} : { claim: { identity: { channel: "telegram", peerId: "1", messageId: `m-${seq}` } } }),
      decide: (current) => (current === undefined ? { entry: { sessionId: "s-1", updatedAt: Date.now() }, value: 0 } : { value: 0 }),
      messages: [{ role: reply ? "assistant" : "user", content: `message ${seq}` }],
    });
  await turn(-1, false); // the first turn creates the entry: not counted
  const per = { inbound: { statements: 0, ms: 0 }, reply: { statements: 0, ms: 0 } };
  const byStatement = new Map();
  for (let seq = 0; seq < ROUNDS; seq++) {
    for (const kind of ["inbound", "reply"]) {
      seen.length = 0;
      const start = process.hrtime.bigint();
      await turn(seq, kind === "reply");
      per[kind].ms += Number(process.hrtime.bigint() - start) / 1e6;
      await new Promise((resolve) => setImmediate(resolve));
      per[kind].statements += seen.length;
      for (const s of seen) {
        const row = byStatement.get(s.text) ?? { statement: s.text, count: 0, ms: 0 };
        row.count++;
        row.ms += s.ms;
        byStatement.set(s.text, row);
      }
    }
  }
  await backend.close();
  console.table(Object.entries(per).map(([kind, v]) => ({ turn: kind, "statements/turn": (v.statements / ROUNDS).toFixed(1), "ms/turn (mean)": (v.ms / ROUNDS).toFixed(2) })));
  console.table([...byStatement.values()].map((r) => ({ statement: r.statement, "per round": (r.count / ROUNDS).toFixed(1), "mean ms": (r.ms / r.count).toFixed(2) })));
} finally {
  await cluster.destroy();
}
