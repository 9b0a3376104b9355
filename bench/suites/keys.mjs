// Session keys: throughput of resolveSessionKey and parseSessionKey (keys/s) over mixed,
// realistic inputs, side by side with a naive regex/split-heavy version written here and
// with the raw floor (template-string concatenation / String.prototype.split).
import { parseSessionKey } from "../../dist/keys/parse.js";
import { resolveSessionKey } from "../../dist/keys/resolve.js";

export const title = "Session keys: resolveSessionKey / parseSessionKey (keys/s)";

const LINKS = { alice: ["telegram:111", "discord:222", "whatsapp:+15550100100"], bob: ["slack:U0BOB"] };

/** [ctx, options]: the mix a multi-channel gateway sees. */
const INPUTS = [
  [{ channel: "telegram", chatType: "direct", peerId: "123456789" }, {}],
  [{ channel: "telegram", chatType: "group", peerId: "-1001234567890", threadId: 99 }, {}],
  [{ channel: "whatsapp", from: "whatsapp:+1 (555) 010-2030" }, {}],
  [{ from: "12345-678@g.us" }, {}],
  [{ from: "discord:group:12345" }, {}],
  [{ channel: "discord", chatType: "direct", peerId: "222" }, { identityLinks: LINKS }],
  [{ channel: "slack", chatType: "channel", peerId: "C0ABCDEF", threadId: "1712.0042" }, {}],
  [{ channel: "slack", chatType: "direct", peerId: "U0XYZ" }, { identityLinks: LINKS }],
  [{ channel: "matrix", chatType: "channel", peerId: "!AbC:example.org" }, {}],
  [{ channel: "signal", from: "signal:+44 20 7946 0958" }, { dmScope: "per-peer" }],
  [{ channel: "telegram", chatType: "direct", peerId: "7550356539", accountId: "Tasks" }, { dmScope: "per-account-channel-peer" }],
  [{ channel: "imessage", chatType: "direct", peerId: "+15551234567" }, { dmScope: "main" }],
  [{ sessionKey: " Agent:Main:Telegram:Direct:5550001 " }, {}],
  [{ channel: "webchat", peerId: "Visitor-42" }, {}],
];

const KEYS = [
  "agent:main:main",
  "agent:main:telegram:dm:123456789",
  "agent:main:telegram:group:-1001234567890:topic:99",
  "agent:main:whatsapp:dm:+15550102030",
  "agent:main:whatsapp:group:12345-678@g.us",
  "agent:main:slack:channel:c0abcdef:thread:1712.0042",
  "agent:main:matrix:channel:!AbC%3Aexample.org",
  "agent:main:matrix:channel:!abc:example.org",
  "agent:main:telegram:tasks:dm:7550356539",
  "agent:main:telegram:direct:5550001",
  "agent:main:dm:alice",
  "cron:nightly-digest",
  "group:legacy-team",
  "global",
];

// ---- the naive approach: regexes compiled per call, split/join/map everything -------------
function naiveToken(raw, fallback) {
  const t = String(raw ?? "").trim().toLowerCase().replace(new RegExp("[^a-z0-9_-]+", "g"), "-").replace(new RegExp("^-+|-+$", "g"), "");
  return t || fallback;
}
function naiveEnc(id) {
  return id.split("%").join("%25").split(":").join("%3A");
}
function naiveResolve(ctx, opts) {
  const agent = naiveToken(opts.agentId, "main");
  const mainKey = String(opts.mainKey ?? "main").trim().toLowerCase() || "main";
  if (ctx.sessionKey && ctx.sessionKey.trim()) {
    const parts = ctx.sessionKey.trim().split(":").map((p, i) => (i < 4 ? p.toLowerCase() : p));
    return parts.map((p) => (p === "direct" ? "dm" : p)).join(":");
  }
  if (opts.scope === "global") return "global";
  const from = String(ctx.from ?? "").trim();
  const fromParts = from.split(":");
  let channel = String(ctx.channel ?? "").trim().toLowerCase().replace(/^imsg$/, "imessage");
  let rest = fromParts;
  if (fromParts.length > 1 && new RegExp("^[a-z][a-z0-9_-]*$", "i").test(fromParts[0]) && !new RegExp("^(group|channel|dm|direct)$", "i").test(fromParts[0])) {
    if (!channel) channel = fromParts[0].toLowerCase();
    rest = fromParts.slice(1);
  }
  let kind = ctx.chatType ? ctx.chatType.replace(/^dm$/, "direct").replace(/^room$/, "channel") : undefined;
  if (rest.length > 1 && new RegExp("^(group|channel)$", "i").test(rest[0])) {
    kind ??= rest[0].toLowerCase();
    rest = rest.slice(1);
  }
  if (new RegExp("@g\\.us$", "i").test(from)) {
    kind ??= "group";
    channel ||= "whatsapp";
  }
  kind ??= "direct";
  const sensitive = ["matrix", "signal"].includes(channel);
  let id = String(ctx.peerId ?? rest.join(":")).trim();
  if (!sensitive) id = id.toLowerCase();
  const thread = ctx.threadId === undefined ? "" : String(ctx.threadId).trim().toLowerCase();
  const suffix = thread ? `:${kind === "group" && channel === "telegram" ? "topic" : "thread"}:${naiveEnc(thread)}` : "";
  if (kind !== "direct") return `agent:${agent}:${channel}:${kind}:${naiveEnc(id)}${suffix}`;
  if (["whatsapp", "signal"].includes(channel) && new RegExp("^\\+?[\\d\\s().-]+$").test(id)) id = `+${id.replace(new RegExp("\\D", "g"), "")}`;
  const scope = opts.dmScope ?? "per-channel-peer";
  if (!id || scope === "main") return `agent:${agent}:${mainKey}${suffix}`;
  for (const [name, ids] of Object.entries(opts.identityLinks ?? {})) {
    const wanted = ids.map((x) => x.toLowerCase());
    if (wanted.includes(`${channel}:${id.toLowerCase()}`) || wanted.includes(id.toLowerCase())) return `agent:${agent}:dm:${name.toLowerCase()}${suffix}`;
  }
  if (scope === "per-peer") return `agent:${agent}:dm:${naiveEnc(id.toLowerCase())}${suffix}`;
  if (scope === "per-account-channel-peer") return `agent:${agent}:${channel}:${naiveToken(ctx.accountId, "default")}:dm:${naiveEnc(id)}${suffix}`;
  return `agent:${agent}:${channel}:dm:${naiveEnc(id)}${suffix}`;
}

function naiveParse(key) {
  const k = key.trim();
  if (new RegExp("^global$", "i").test(k)) return { kind: "global" };
  const machine = new RegExp("^(cron|hook):", "i").exec(k);
  if (machine) return { kind: machine[1].toLowerCase() };
  if (new RegExp("^group:", "i").test(k)) return { kind: "group", chatType: "group", peerId: k.slice(6) };
  const m = new RegExp("^agent:([^:]+):(.+)$", "i").exec(k);
  if (!m) return { kind: "other" };
  const parts = m[2].split(":").map((p) => p.replace(new RegExp("%3A", "gi"), ":").replace(new RegExp("%25", "g"), "%"));
  const agentId = m[1].toLowerCase();
  const t = parts.findLastIndex((p, i) => i > 0 && i < parts.length - 1 && new RegExp("^(thread|topic)$", "i").test(p));
  const threadId = t === -1 ? undefined : parts.slice(t + 1).join(":");
  const base = t === -1 ? parts : parts.slice(0, t);
  if (base.length === 1) return { kind: "main", agentId, mainKey: base[0].toLowerCase(), threadId };
  const markers = base.map((p) => p.toLowerCase().replace(/^direct$/, "dm"));
  const at = markers.findIndex((p) => ["dm", "group", "channel"].includes(p));
  if (at === -1) return { kind: "other", agentId };
  const kind = markers[at] === "dm" ? "direct" : markers[at];
  return { kind, agentId, channel: at > 0 ? markers[0] : undefined, accountId: at > 1 ? markers[1] : undefined, chatType: kind, peerId: base.slice(at + 1).join(":"), threadId };
}

// ---- the floor: nothing but the string operation a key needs -------------------------------
const FLOOR_FIELDS = INPUTS.map(([ctx]) => ({ channel: ctx.channel ?? "whatsapp", id: String(ctx.peerId ?? ctx.from ?? "x") }));
let floorIndex = 0;
function floorResolve() {
  const f = FLOOR_FIELDS[floorIndex++ % FLOOR_FIELDS.length];
  return `agent:main:${f.channel}:dm:${f.id}`;
}
function floorParse(key) {
  return key.split(":");
}

// ---- measuring -------------------------------------------------------------------------------
let sink = 0;
function rate(fn, inputs, calls) {
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const out = fn(inputs[i % inputs.length]);
    sink += typeof out === "string" ? out.length : out === null ? 0 : 1;
  }
  return calls / ((performance.now() - started) / 1000);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Rounds interleave the candidates so that each sees the same machine state. */
function compare(candidates, inputs, { rounds, calls }) {
  const samples = Object.fromEntries(Object.keys(candidates).map((name) => [name, []]));
  for (const [name, fn] of Object.entries(candidates)) rate(fn, inputs, Math.min(calls, 50_000)); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of Object.entries(candidates)) samples[name].push(rate(fn, inputs, calls));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, Math.round(median(values))]));
}

const fmt = (n) => `${(n / 1e6).toFixed(2)} M keys/s`;

export async function run({ quick, log }) {
  const plan = quick ? { rounds: 3, calls: 100_000 } : { rounds: 7, calls: 400_000 };
  const mismatches = INPUTS.filter(([ctx, opts]) => naiveResolve(ctx, opts) !== resolveSessionKey(ctx, opts));
  if (mismatches.length > 0) log(`note: the naive resolver differs from ours on ${mismatches.length}/${INPUTS.length} inputs (it skips rules)`);

  const resolve = compare(
    { ours: ([ctx, opts]) => resolveSessionKey(ctx, opts), naive: ([ctx, opts]) => naiveResolve(ctx, opts), floor: floorResolve },
    INPUTS,
    plan,
  );
  const parse = compare({ ours: parseSessionKey, naive: naiveParse, floor: floorParse }, KEYS, plan);

  log(`resolveSessionKey  ours ${fmt(resolve.ours)}   naive ${fmt(resolve.naive)}   floor (template string) ${fmt(resolve.floor)}`);
  log(`parseSessionKey    ours ${fmt(parse.ours)}   naive ${fmt(parse.naive)}   floor (split) ${fmt(parse.floor)}`);
  log(`target >= 1.00 M keys/s each; ${INPUTS.length} contexts, ${KEYS.length} keys in the mix (sink ${sink % 10})`);

  const ratio = (a, b) => +(a / b).toFixed(2);
  return {
    figures: {
      resolve_ours_keys_per_s: resolve.ours,
      resolve_naive_keys_per_s: resolve.naive,
      resolve_floor_keys_per_s: resolve.floor,
      parse_ours_keys_per_s: parse.ours,
      parse_naive_keys_per_s: parse.naive,
      parse_floor_keys_per_s: parse.floor,
    },
    ratios: {
      resolve_ours_vs_naive: ratio(resolve.ours, resolve.naive),
      resolve_ours_vs_floor: ratio(resolve.ours, resolve.floor),
      parse_ours_vs_naive: ratio(parse.ours, parse.naive),
      parse_ours_vs_floor: ratio(parse.ours, parse.floor),
    },
    targets: { resolve_ours_keys_per_s: 1_000_000, parse_ours_keys_per_s: 1_000_000 },
  };
}
