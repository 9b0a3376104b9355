/**
 * The page's files, served from `static/` beside this module (src or dist alike). Only the
 * names found there at start are served, so a request path never becomes a file path.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

export interface StaticFile {
  type: string;
  body: Buffer;
}

export const STATIC_DIR = fileURLToPath(new URL("./static/", import.meta.url));

/** Every servable file of `dir` by URL path (`/` is index.html). */
export function loadStaticFiles(dir: string = STATIC_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type === undefined) continue;
    const file = { type, body: readFileSync(path.join(dir, name)) };
    files.set(`/${name}`, file);
    if (name === "index.html") files.set("/", file);
  }
  return files;
}
