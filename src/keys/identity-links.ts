/**
 * Identity links (SPEC 3.2 step 6): `{ alice: ["telegram:123", "discord:456", "789"] }` makes
 * one person share one direct session across channels. Compiled once per links object. Pure.
 */
import { HubError, describeValue } from "../errors.js";
import { normalizeIdValue, normalizePeerId } from "./encode.js";
import { parseFrom } from "./from.js";
import { normalizeE164 } from "./phone.js";

/** A canonical name (lower-cased) and its position in the links object. */
interface Link {
  readonly name: string;
  readonly rank: number;
}

/** Lower-cased `<channel>:<peerId>` or bare `<peerId>` → its link. */
export type CompiledLinks = ReadonlyMap<string, Link>;

const cache = new WeakMap<object, CompiledLinks>();

function invalid(message: string): HubError {
  return new HubError("E_INVALID_KEY", message);
}

/** The lookup forms of one configured id (`telegram:123`, `+1 555 0100`, `@a:matrix.org`...). */
function entryForms(entry: string): string[] {
  const from = parseFrom(entry, "");
  if (from.channel !== "") return [`${from.channel}:${normalizePeerId(from.id, from.channel, false)}`];
  const bare = normalizeIdValue(entry, false);
  const phone = normalizeE164(bare);
  return phone === undefined || phone === bare ? [bare] : [bare, phone];
}

function compile(links: object): CompiledLinks {
  const map = new Map<string, Link>();
  let rank = 0;
  for (const [name, ids] of Object.entries(links)) {
    const canonical = name.trim().toLowerCase();
    if (canonical === "") throw invalid(`identityLinks names must be non-empty, got ${describeValue(name)}`);
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
      throw invalid(`identityLinks.${name} must be an array of ids such as "telegram:123", got ${describeValue(ids)}`);
    }
    const link: Link = { name: canonical, rank: rank++ };
    for (const id of ids as string[]) {
      for (const form of entryForms(id)) if (form !== "" && !map.has(form)) map.set(form, link);
    }
  }
  return map;
}

/** The compiled links (cached per object), or `undefined` when none are configured. */
export function compileIdentityLinks(links: unknown): CompiledLinks | undefined {
  if (links === undefined || links === null) return undefined;
  if (typeof links !== "object" || Array.isArray(links)) {
    throw invalid(`identityLinks must be an object of { name: ["<channel>:<peerId>", ...] }, got ${describeValue(links)}`);
  }
  let compiled = cache.get(links);
  if (compiled === undefined) {
    compiled = compile(links);
    cache.set(links, compiled);
  }
  return compiled.size === 0 ? undefined : compiled;
}

/**
 * The canonical name linked to `peerId` on `channel` (both normalized), if any. When both
 * `<channel>:<peerId>` and the bare id are linked, the name listed first in the links wins.
 */
export function matchIdentityLink(links: CompiledLinks, channel: string, peerId: string): string | undefined {
  const id = peerId.toLowerCase();
  const scoped = channel === "" ? undefined : links.get(`${channel}:${id}`);
  const bare = links.get(id);
  if (scoped === undefined || bare === undefined) return (scoped ?? bare)?.name;
  return scoped.rank <= bare.rank ? scoped.name : bare.name;
}
