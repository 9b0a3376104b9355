// The server's JSON API and its event stream. The token lives in an HttpOnly cookie, which
// the browser sends by itself; POSTs carry an Origin header the server checks.

export class ApiError extends Error {}

async function json(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

export async function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
  const text = query.toString();
  return json(await fetch(text ? `${path}?${text}` : path, { headers: { Accept: "application/json" } }));
}

export async function post(path, body) {
  return json(await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }));
}

/**
 * Live events (`resync`, `session`, `message`) for the list or one key's transcript. `resync`
 * comes once the feed is live, and again after a reconnect: re-read what is shown then.
 */
export function subscribe(key, handlers, onState) {
  const source = new EventSource(key === undefined ? "/api/events" : `/api/events?key=${encodeURIComponent(key)}`);
  source.addEventListener("open", () => onState("live"));
  source.addEventListener("error", () => onState("reconnecting"));
  for (const name of ["resync", "session", "message"]) {
    source.addEventListener(name, (event) => handlers[name]?.(JSON.parse(event.data)));
  }
  return () => source.close();
}
