// One session's transcript: the newest page, older pages on demand, a thread filter, new
// messages as they are appended, and "reset session" behind a confirmation.
import { get, post, subscribe } from "./api.js";
import { age, el, isoTime, refreshAges, throttle, tokensOf } from "./dom.js";

const PAGE = 50;

/** The text of a message's content; other blocks (images, tool calls) as a short note. */
function textOf(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((block) => (block?.type === "text" && typeof block.text === "string" ? block.text : `[${String(block?.type ?? "block")}]`)).join("\n");
}

function whoOf(message) {
  const meta = message.meta ?? {};
  if (message.role === "user") return meta.senderName ?? meta.senderId ?? "user";
  return message.role;
}

function messageNode(message, now) {
  const meta = message.meta ?? {};
  return el(
    "article",
    { class: `message role-${message.role === "user" ? "user" : message.role === "assistant" ? "assistant" : "other"}`, "data-id": message.id },
    el(
      "header",
      {},
      el("span", { class: "who" }, String(whoOf(message))),
      meta.threadId !== undefined ? el("span", { class: "chip" }, `thread ${meta.threadId}`) : null,
      meta.suppressed === true ? el("span", { class: "chip warn" }, "not sent") : null,
      el("time", { "data-at": message.timestamp, title: isoTime(message.timestamp), datetime: isoTime(message.timestamp) }, age(now - message.timestamp)),
    ),
    el("div", { class: "text" }, textOf(message.content)),
  );
}

function facts(session) {
  const items = [
    ["Channel", session.channel],
    ["Type", session.chatType ?? session.kind],
    ["Model", session.model],
    ["Tokens", tokensOf(session)],
    ["Session id", session.sessionId],
  ];
  return el("dl", { class: "facts" }, ...items.filter(([, v]) => v).map(([k, v]) => el("div", { class: "fact" }, el("dt", {}, k), el("dd", {}, String(v)))));
}

export function mountTranscript(root, key, { setLive, clock, confirm }) {
  const state = { before: null, thread: "", sessionId: null, ids: new Set() };
  const title = el("h1", {}, key);
  const info = el("div", { class: "info" });
  const reset = el("button", { class: "button danger", type: "button", id: "reset" }, "Reset session");
  const thread = el("input", { type: "search", placeholder: "Thread id", list: "threads", "aria-label": "Thread filter", id: "thread" });
  const threads = el("datalist", { id: "threads" });
  const older = el("button", { class: "button", type: "button", id: "older", hidden: true }, "Load older messages");
  const list = el("div", { class: "messages", id: "messages" });
  const notice = el("p", { class: "notice", hidden: true });
  root.replaceChildren(
    el("nav", { class: "crumbs" }, el("a", { href: "#/" }, "← Sessions")),
    el("section", { class: "session-head" }, el("div", {}, title, el("code", { class: "key" }, key), info), reset),
    el("section", { class: "toolbar" }, thread, threads, el("span", { class: "spacer" }), older),
    notice,
    list,
  );

  function show(text, kind = "notice") {
    notice.className = kind;
    notice.textContent = text;
    notice.hidden = false;
  }

  function matchesThread(message) {
    return state.thread === "" || String(message.meta?.threadId ?? "") === state.thread;
  }

  function add(message, now, where) {
    if (state.ids.has(message.id) || !matchesThread(message)) return;
    state.ids.add(message.id);
    const node = messageNode(message, now);
    if (where === "top") list.prepend(node);
    else {
      const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
      list.append(node);
      if (atBottom) node.scrollIntoView({ block: "end" });
    }
  }

  async function load(before) {
    const page = await get("/api/transcript", { key, limit: PAGE, before: before ?? undefined, thread: state.thread });
    clock.sync(page.now);
    if (page.session === null) {
      title.textContent = key;
      info.replaceChildren(el("p", { class: "muted" }, "This session does not exist (yet, or any more). New messages appear here."));
      reset.disabled = true;
      state.sessionId = null;
    } else {
      title.textContent = page.session.displayName ?? page.session.label ?? key;
      info.replaceChildren(facts(page.session));
      reset.disabled = false;
      state.sessionId = page.session.sessionId;
    }
    for (const id of page.threads ?? []) if (![...threads.options].some((o) => o.value === id)) threads.append(el("option", { value: id }));
    if (before === undefined) {
      list.replaceChildren();
      state.ids.clear();
    }
    for (const message of (before === undefined ? page.messages : [...page.messages].reverse())) add(message, page.now, before === undefined ? "bottom" : "top");
    if (before === undefined && page.messages.length === 0) list.append(el("p", { class: "empty", id: "no-messages" }, "No messages."));
    state.before = page.before;
    older.hidden = page.before === null;
  }
  const fail = (failure) => show(`Could not load the transcript: ${failure.message}`, "error");
  /** The same session changed (model, tokens, names): its facts only, the messages stay. */
  const refreshFacts = throttle(() => {
    get("/api/transcript", { key, limit: 1 })
      .then((page) => {
        if (page.session === null || page.session.sessionId !== state.sessionId) return;
        title.textContent = page.session.displayName ?? page.session.label ?? key;
        info.replaceChildren(facts(page.session));
      })
      .catch(fail);
  }, 1000);

  older.addEventListener("click", () => load(state.before).catch(fail));
  let typing;
  thread.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.thread = thread.value.trim();
      load().catch(fail);
    }, 250);
  });
  reset.addEventListener("click", async () => {
    if (!(await confirm(`Delete "${key}"? Its transcript is archived; the next message starts a fresh session.`))) return;
    try {
      const result = await post("/api/reset", { key });
      show(result.deleted ? "Session reset. The next message starts a new session." : "The session was already gone.");
      await load();
    } catch (failure) {
      show(`Reset failed: ${failure.message}`, "error");
    }
  });

  const ticker = setInterval(() => refreshAges(list, clock.offset()), 15000);
  const unsubscribe = subscribe(key, {
    resync: () => load().catch(fail),
    session: (change) => {
      if (change.key !== key) return;
      if (change.sessionId === state.sessionId) refreshFacts();
      else load().catch(fail);
    },
    message: (change) => {
      if (change.key !== key) return;
      document.getElementById("no-messages")?.remove();
      add(change.message, Date.now() + clock.offset(), "bottom");
    },
  }, setLive);
  return () => {
    clearInterval(ticker);
    clearTimeout(typing);
    unsubscribe();
  };
}
