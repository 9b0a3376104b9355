// The dashboard's entry point: a hash router between the sessions list and one transcript,
// the live indicator, the server clock, and the confirmation dialog.
import { mountSessions } from "./sessions.js";
import { mountTranscript } from "./transcript.js";

const view = document.getElementById("view");
const live = document.getElementById("live");
const dialog = document.getElementById("confirm");

function setLive(state) {
  live.dataset.state = state;
  live.textContent = state;
}

/** Server time minus local time, so ages agree with the server's clock. */
const clock = {
  delta: 0,
  sync(serverNow) {
    if (Number.isFinite(serverNow)) this.delta = serverNow - Date.now();
  },
  offset() {
    return this.delta;
  },
};

/** Resolves true when the operator confirms. */
function confirm(text) {
  document.getElementById("confirm-text").textContent = text;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

let unmount = () => undefined;

function route() {
  unmount();
  const match = /^#\/s\/(.+)$/.exec(location.hash);
  let key;
  if (match) {
    try {
      key = decodeURIComponent(match[1]);
    } catch (error) {
      if (!(error instanceof URIError)) throw error;
    }
  }
  const context = { setLive, clock, confirm };
  document.title = key === undefined ? "Sessions · session-hub" : `${key} · session-hub`;
  unmount = key === undefined ? mountSessions(view, context) : mountTranscript(view, key, context);
  window.scrollTo(0, 0);
}

window.addEventListener("hashchange", route);
route();
