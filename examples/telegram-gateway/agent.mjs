// A stand-in for a real agent: it echoes the turn's text and reports what a model run would
// (model, provider, token usage), so `hub sessions` has something to show. A real agent
// passes `turn.signal` to its model call, so an interrupted turn stops at once.

/** Counts "tokens" as whitespace-separated words: enough for a demo. */
const tokens = (text) => text.split(/\s+/).filter(Boolean).length;

export async function echoAgent(turn) {
  // `/new` alone starts a new session and leaves no text for the agent.
  const text = turn.text.trim() === "" ? "New session started. Say something!" : `echo: ${turn.text}`;
  const input = tokens(turn.text);
  await turn.reply(text, {
    model: "echo-1",
    provider: "example",
    usage: { input, output: tokens(text), context: 8192 },
  });
}
