// The sessions list: newest activity first, filtered by channel and text on the server, one
// page at a time, re-read (at most twice a second) whenever a session changes.
import { get, subscribe } from "./api.js";
import { age, el, isoTime, refreshAges, throttle, tokensOf } from "./dom.js";

const PAGE = 50;

function cell(label, ...content) {
  return el("td", { "data-label": label }, ...content);
}

function rowOf(row, now) {
  const name = row.displayName ?? row.label ?? row.subject;
  const href = `#/s/${encodeURIComponent(row.key)}`;
  return el(
    "tr",
    { "data-key": row.key },
    cell("Last activity", el("span", { class: "age", "data-at": row.updatedAt, title: isoTime(row.updatedAt) }, age(now - row.updatedAt))),
    cell("Session", el("a", { class: "session-link", href }, el("span", { class: name ? "name" : "name muted" }, name ?? "(no name)"), el("code", { class: "key" }, row.key))),
    cell("Channel", row.channel ? el("span", { class: "chip" }, row.channel) : el("span", { class: "muted" }, "–")),
    cell("Type", row.chatType ?? row.kind),
    cell("Model", row.model ?? el("span", { class: "muted" }, "–")),
    cell("Tokens", el("span", { class: "num" }, tokensOf(row))),
  );
}

export function mountSessions(root, { setLive, clock }) {
  const state = { offset: 0, q: "", channel: "" };
  const search = el("input", { type: "search", placeholder: "Filter by key, name, model…", "aria-label": "Filter sessions", id: "filter-text" });
  const channel = el("select", { "aria-label": "Channel", id: "filter-channel" }, el("option", { value: "" }, "All channels"));
  const summary = el("span", { class: "summary", id: "summary" }, "Loading…");
  const prev = el("button", { class: "button", type: "button", id: "prev" }, "← Newer");
  const next = el("button", { class: "button", type: "button", id: "next" }, "Older →");
  const body = el("tbody");
  const head = el("thead", {}, el("tr", {}, ...["Last activity", "Session", "Channel", "Type", "Model", "Tokens"].map((h) => el("th", { scope: "col" }, h))));
  const error = el("p", { class: "error", hidden: true });
  root.replaceChildren(
    el("section", { class: "toolbar" }, search, channel, el("span", { class: "spacer" }), summary, prev, next),
    error,
    el("div", { class: "table-wrap" }, el("table", { class: "sessions" }, head, body)),
  );

  let generation = 0;
  async function load() {
    const mine = ++generation;
    try {
      const page = await get("/api/sessions", { limit: PAGE, offset: state.offset, channel: state.channel, q: state.q });
      if (mine !== generation) return;
      clock.sync(page.now);
      document.getElementById("where").textContent = page.store;
      if (page.sessions.length === 0 && state.offset > 0 && page.total > 0) {
        state.offset = Math.max(0, Math.floor((page.total - 1) / PAGE) * PAGE);
        return load();
      }
      body.replaceChildren(...page.sessions.map((row) => rowOf(row, page.now)));
      if (page.sessions.length === 0) body.append(el("tr", {}, el("td", { colspan: 6, class: "empty" }, state.q || state.channel ? "No session matches." : "No sessions yet.")));
      summary.textContent = page.total === 0 ? "0 sessions" : `${page.offset + 1}–${page.offset + page.sessions.length} of ${page.total}`;
      prev.disabled = page.offset === 0;
      next.disabled = page.offset + page.sessions.length >= page.total;
      error.hidden = true;
    } catch (failure) {
      error.textContent = `Could not load sessions: ${failure.message}`;
      error.hidden = false;
    }
  }
  async function loadChannels() {
    const { channels } = await get("/api/channels");
    const chosen = channel.value;
    channel.replaceChildren(el("option", { value: "" }, "All channels"), ...channels.map((c) => el("option", { value: c }, c)));
    channel.value = channels.includes(chosen) ? chosen : "";
  }
  const reload = throttle(load, 500);

  let typing;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.q = search.value.trim();
      state.offset = 0;
      load();
    }, 200);
  });
  channel.addEventListener("change", () => {
    state.channel = channel.value;
    state.offset = 0;
    load();
  });
  prev.addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - PAGE);
    load();
  });
  next.addEventListener("click", () => {
    state.offset += PAGE;
    load();
  });

  const ticker = setInterval(() => refreshAges(body, clock.offset()), 15000);
  const unsubscribe = subscribe(undefined, {
    resync: () => {
      load();
      loadChannels().catch((failure) => {
        error.textContent = `Could not load channels: ${failure.message}`;
        error.hidden = false;
      });
    },
    session: reload,
  }, setLive);
  return () => {
    clearInterval(ticker);
    clearTimeout(typing);
    unsubscribe();
  };
}
