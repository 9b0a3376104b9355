/**
 * `hub doctor` and legacy keys: which stored keys are another spelling of a canonical key, and
 * the repair that moves them (newest entry wins, like openclaw's doctor). Two keys that can
 * name different conversations (Matrix rooms differing in case) are never merged.
 */
import { HubError } from "../../../errors.js";
import { buildSessionKey } from "../../../keys/build.js";
import { canonicalizeSessionKey, type CanonicalizeOptions } from "../../../keys/canonical.js";
import { caseSensitiveSet } from "../../../keys/encode.js";
import { parseSessionKey } from "../../../keys/parse.js";
import type { Finding } from "./doctor.js";
import type { SessionEntry } from "../../shared/entry.js";
import { mergeKeysInDraft } from "../store/key-migration.js";
import type { SessionStore } from "../store/session-store.js";

/** The session settings that decide canonical keys (the config's `session` section). */
export type DoctorKeyOptions = Pick<CanonicalizeOptions, "mainKey" | "caseSensitiveChannels" | "scope"> & {
  /** The config's `dmScope` (default `per-channel-peer`). */
  dmScope?: string | undefined;
};

function canonicalOrUndefined(key: string, options: CanonicalizeOptions): string | undefined {
  try {
    return canonicalizeSessionKey(key, options);
  } catch (error) {
    if (error instanceof HubError) return undefined;
    throw error;
  }
}

function textOf(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value).trim() : "";
}

/** The id as the entry's delivery fields spell it, when it is `lowerId` in another case. */
function spelledId(entry: SessionEntry, lowerId: string): string | undefined {
  const targets = [entry.deliveryContext?.to, entry.lastTo, entry.origin?.to, entry.groupId].map(textOf);
  for (const target of targets) {
    const start = target.length - lowerId.length;
    const id = target.slice(start);
    if (start >= 0 && (start === 0 || target[start - 1] === ":") && id.toLowerCase() === lowerId && id !== lowerId) return id;
  }
  return undefined;
}

/**
 * The key `key` should live under, or undefined when it is canonical or no key. On a
 * case-sensitive channel a key clawdbot lower-cased goes to the room its delivery target
 * names (`room:!MixedRoom:x` proves `!MixedRoom:x`), else to its own lower-case spelling.
 */
export function legacyKeyTarget(key: string, entry: SessionEntry, agentId: string, keys: DoctorKeyOptions): string | undefined {
  const canonical = canonicalOrUndefined(key, { ...keys, agentId });
  if (canonical === undefined) return undefined;
  const parsed = parseSessionKey(canonical);
  const { channel, peerId, threadId } = parsed ?? {};
  if (parsed !== null && channel !== undefined && peerId !== undefined && caseSensitiveSet(keys.caseSensitiveChannels).has(channel) && peerId === peerId.toLowerCase()) {
    const id = spelledId(entry, peerId);
    const thread = threadId === undefined ? undefined : textOf(entry.deliveryContext?.threadId ?? entry.lastThreadId ?? entry.origin?.threadId);
    const threadMatches = threadId === undefined || thread?.toLowerCase() === threadId.toLowerCase();
    if (id !== undefined && threadMatches) return buildSessionKey({ ...parsed, peerId: id, threadId: thread }, keys);
  }
  return canonical === key ? undefined : canonical;
}

/**
 * The `legacy-key` findings of the entries, by key. When the canonical key or other spellings
 * hold entries too, the message names the one `--fix` keeps, decided as `repairLegacyKeys`
 * does: the newest activity clock (the journal folded in), ties to the canonical key.
 */
export function legacyKeyFindings(entries: ReadonlyArray<readonly [string, SessionEntry]>, agentId: string, keys: DoctorKeyOptions): Map<string, Finding> {
  const clock = new Map(entries.map(([key, entry]) => [key, entry.updatedAt]));
  const spellings = new Map<string, string[]>();
  for (const [key, entry] of entries) {
    const target = legacyKeyTarget(key, entry, agentId, keys);
    if (target !== undefined) spellings.set(target, [...(spellings.get(target) ?? []), key]);
  }
  const findings = new Map<string, Finding>();
  for (const [target, legacy] of spellings) {
    const present = [target, ...legacy].filter((key) => clock.has(key));
    const newest = present.reduce((best, key) => ((clock.get(key) ?? 0) > (clock.get(best) ?? 0) ? key : best), present[0] as string);
    const active = new Date(clock.get(newest) ?? 0).toISOString();
    const keeps = present.length > 1 ? `; --fix keeps the newest of the ${present.length} entries: ${newest} (active ${active})` : "";
    for (const key of legacy) {
      findings.set(key, { kind: "legacy-key", severity: "warn", subject: key, message: `legacy or case-variant key of ${target}: --fix migrates it${keeps}`, fixable: true });
    }
  }
  return findings;
}

function describeMerge(target: string, winner: string, entries: number): string {
  if (entries === 1) return `migrated to ${target}`;
  const which = entries === 2 ? "the newer of the two entries" : `the newest of the ${entries} entries`;
  return `migrated to ${target} (${which} kept: ${winner})`;
}

/**
 * Moves every legacy key of `findings` to its target, one write per target: the newest entry
 * among the target and its legacy keys is kept (ties keep the target's). Each finding gets
 * `fixed`, or a message saying why it was not fixed.
 */
export async function repairLegacyKeys(store: SessionStore, findings: Finding[], keys: DoctorKeyOptions): Promise<void> {
  const byTarget = new Map<string, Finding[]>();
  for (const finding of findings) {
    const entry = await store.get(finding.subject);
    const target = entry === undefined ? undefined : legacyKeyTarget(finding.subject, entry, store.agentId, keys);
    if (target === undefined) {
      finding.fixed = entry === undefined ? "nothing to do: the key is gone (another process moved it)" : "nothing to do: the key is canonical now";
      continue;
    }
    byTarget.set(target, [...(byTarget.get(target) ?? []), finding]);
  }
  for (const [target, group] of byTarget) {
    const outcome = await store.mutate((draft) => {
      const present = [target, ...group.map((f) => f.subject)].filter((key) => draft.has(key));
      const newest = present.reduce((best, key) => ((draft.get(key)?.updatedAt ?? 0) > (draft.get(best)?.updatedAt ?? 0) ? key : best), present[0] ?? target);
      return { ...mergeKeysInDraft(draft, target, group.map((f) => f.subject)), newest, count: present.length };
    });
    for (const finding of group) {
      if (outcome.migratedFrom.includes(finding.subject)) finding.fixed = describeMerge(target, outcome.newest, outcome.count);
      else finding.message += `; not migrated: ${finding.subject} is no longer in the store`;
    }
  }
}

/**
 * A store written with clawdbot's default `dmScope: "main"` keeps every direct chat in the
 * agent's main session; under session-hub's default (`per-channel-peer`) the next DM would
 * start a separate session and that history would look orphaned. Says so, once, when the main
 * session carries a chat route and the config does not say `dmScope: "main"`.
 */
export function dmScopeFinding(entries: ReadonlyArray<readonly [string, SessionEntry]>, agentId: string, keys: DoctorKeyOptions): Finding | undefined {
  if (keys.dmScope === "main" || keys.scope === "global") return undefined;
  const mainKey = canonicalOrUndefined("main", { agentId, mainKey: keys.mainKey });
  const main = entries.find(([key]) => key === mainKey)?.[1];
  const channel = textOf(main?.lastChannel ?? main?.deliveryContext?.channel ?? main?.channel);
  if (main === undefined || channel === "") return undefined;
  const scope = keys.dmScope ?? "per-channel-peer";
  return {
    kind: "dm-scope",
    severity: "info",
    subject: mainKey as string,
    message: `direct chats (last: ${channel}) live in the main session, as with clawdbot's dmScope "main"; with dmScope "${scope}" the next DM starts a new session: set session.dmScope: "main" to continue this one`,
    fixable: false,
  };
}
