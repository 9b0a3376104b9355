// Small DOM helpers. Text from the store (names, keys, messages) is only ever set with
// textContent: the page never parses data as HTML.

/** An element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return node;
}

/** `just now`, `5m ago`, `3h ago`, `2d ago`. */
export function age(ms) {
  const minutes = Math.round(Math.max(0, ms) / 60000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.round(hours / 24)}d ago`;
}

/** `1234` → `1.2k`. */
export function tokens(value) {
  if (typeof value !== "number" || !Number.isFinite(value)) return "–";
  if (value < 1000) return String(value);
  if (value < 1e6) return `${(value / 1000).toFixed(value < 10000 ? 1 : 0)}k`;
  return `${(value / 1e6).toFixed(1)}M`;
}

export function tokensOf(row) {
  const total = row.totalTokens ?? (row.inputTokens === null && row.outputTokens === null ? null : (row.inputTokens ?? 0) + (row.outputTokens ?? 0));
  if (total === null) return "–";
  return row.contextTokens ? `${tokens(total)} / ${tokens(row.contextTokens)}` : tokens(total);
}

export function isoTime(ms) {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : "";
}

/** Keeps `[data-at]` ages current; `offset` is server time minus local time. */
export function refreshAges(root, offset) {
  const now = Date.now() + offset;
  for (const node of root.querySelectorAll("[data-at]")) node.textContent = age(now - Number(node.dataset.at));
}

/** A function that runs `fn` at most once per `ms`, and once more after the last call. */
export function throttle(fn, ms) {
  let timer = null;
  let again = false;
  return () => {
    if (timer !== null) {
      again = true;
      return;
    }
    fn();
    timer = setTimeout(function tick() {
      timer = null;
      if (again) {
        again = false;
        fn();
        timer = setTimeout(tick, ms);
      }
    }, ms);
  };
}
