/**
 * The dashboard's front door, pure: which `Host` values are this server (DNS rebinding), the
 * token (compared in constant time), its cookie, the Origin check of state-changing requests,
 * and the headers every response carries.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import os from "node:os";

/** A fresh token: 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Whether `given` is the token, in time that does not depend on where they differ. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

/** `host:port` as written in a URL or a Host header (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::";
}

function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "::1" || host === "localhost";
}

/**
 * The Host values that name this server: the bound address (and `localhost` on loopback);
 * on a wildcard address, every address of this machine's interfaces. A name an attacker's DNS
 * points here (rebinding) is none of them.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const hosts = new Set([hostPort(host, port).toLowerCase()]);
  if (isLoopback(host) || isWildcard(host)) hosts.add(`localhost:${port}`);
  if (isWildcard(host)) {
    hosts.add(hostPort("127.0.0.1", port));
    for (const list of Object.values(os.networkInterfaces())) {
      for (const address of list ?? []) hosts.add(hostPort(address.address, port).toLowerCase());
    }
  }
  return hosts;
}

/** The value of cookie `name` in a request, if any. */
export function cookieOf(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The session cookie: HttpOnly, SameSite=Strict, the whole site; named per port (cookies ignore ports). */
export function tokenCookie(name: string, token: string): string {
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** A state-changing request must come from a page of this server. */
export function originAllowed(request: IncomingMessage, hosts: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  }
  return url.protocol === "http:" && url.origin === origin && hosts.has(url.host.toLowerCase());
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers on every response, errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};
