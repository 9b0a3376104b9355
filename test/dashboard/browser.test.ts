/**
 * The dashboard end to end in a real browser: headless Chromium from Debian driven by
 * playwright-core (never a downloaded browser). The page loads with the token, lists the
 * sessions, shows a message another process writes within 5 s, resets a session through
 * the confirmation, and logs no console error. Screenshots go to test-artifacts/; with
 * UPDATE_SCREENSHOT=1 the 1280x800 one is also saved as docs/dashboard.png for the README.
 */
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileBackend } from "../../src/backend/file/index.js";
import type { Dashboard } from "../../src/dashboard/server.js";
import { REPO_ROOT, ensureDistBuilt } from "../support.js";
import { SEED, runWriter, seededDashboard } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = path.join(REPO_ROOT, "test-artifacts");
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI === "true") throw new Error(`${CHROMIUM} is missing: npm test installs the chromium package (scripts/ensure-system-deps.mjs)`);
  console.warn(`SKIPPED the dashboard browser test: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

describe.skipIf(!available)("hub dashboard in Chromium", () => {
  let stateDir: string;
  let profile: string;
  let backend: FileBackend;
  let dashboard: Dashboard;
  let browser: BrowserContext;
  const problems: string[] = [];

  beforeAll(async () => {
    await ensureDistBuilt();
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "hub-dash-e2e-"));
    profile = await fs.mkdtemp(path.join(os.tmpdir(), "hub-chromium-"));
    await fs.mkdir(ARTIFACTS, { recursive: true });
    ({ backend, dashboard } = await seededDashboard(stateDir));
    // A fresh profile each run; playwright passes it as --user-data-dir.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      viewport: { width: 1280, height: 800 },
      colorScheme: "light",
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await backend?.close();
    for (const dir of [stateDir, profile]) if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage();
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    return page;
  }

  it("loads with the token, lists the sessions newest first, and filters them", async () => {
    const page = await newPage();
    await page.goto(dashboard.url);
    await page.waitForSelector("tr[data-key]");
    expect(page.url()).toBe(`http://127.0.0.1:${dashboard.port}/`); // the token is gone from the address bar
    expect(await page.locator("tr[data-key]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key")))).toEqual(SEED.map((s) => s.key));
    // Names are text, never markup.
    expect(await page.locator("tr[data-key] .name").nth(3).textContent()).toBe("Bob <b>bold</b>");
    expect(await page.locator("tr[data-key] b").count()).toBe(0);
    await expect.poll(() => page.locator("#live").textContent()).toBe("live");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-sessions.png") });
    if (process.env.UPDATE_SCREENSHOT === "1") await page.screenshot({ path: path.join(REPO_ROOT, "docs", "dashboard.png") });
    await page.fill("#filter-text", "alice");
    await expect.poll(() => page.locator("tr[data-key]").count()).toBe(1);
    await page.fill("#filter-text", "");
    await page.selectOption("#filter-channel", "slack");
    await expect.poll(() => page.locator("tr[data-key]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key")))).toEqual([SEED[1]?.key]);
    await page.close();
  });

  it("shows a message written by another process within 5 s, and the session moves to the top", async () => {
    const page = await newPage();
    await page.goto(dashboard.url);
    await page.waitForSelector("tr[data-key]");
    const key = SEED[2]?.key ?? "";
    const writer = runWriter(stateDir, [{ patch: key, fields: { label: "touched" } }]);
    expect(await writer.exited).toBe(0);
    await page.click(`tr[data-key="${key}"] a`);
    await page.waitForSelector("article.message");
    expect(await page.locator("h1").textContent()).toBe(SEED[2]?.displayName);
    const text = `written by another process <script>alert(1)</script> ${Date.now()}`;
    const append = runWriter(stateDir, [{ append: key, text }]);
    await append.waitForLine((line) => line === "done"); // committed (the child's start-up does not count)
    await page.locator("article.message .text", { hasText: text }).waitFor({ timeout: 5_000 });
    expect(await append.exited).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-transcript.png") });
    await page.click("text=← Sessions");
    await expect.poll(() => page.locator("tr[data-key]").first().getAttribute("data-key")).toBe(key);
    await page.close();
  });

  it("resets a session through the UI after a confirmation", async () => {
    const page = await newPage();
    const key = SEED[3]?.key ?? "";
    await page.goto(dashboard.url);
    await page.goto(`http://127.0.0.1:${dashboard.port}/#/s/${encodeURIComponent(key)}`);
    await page.waitForSelector("article.message");
    await page.click("#reset");
    await page.waitForSelector("dialog[open]");
    await page.click("dialog >> text=Cancel");
    expect(await backend.get(key)).toBeDefined();
    await page.click("#reset");
    await page.click("#confirm-ok");
    await page.locator("text=Session reset").waitFor();
    expect(await backend.get(key)).toBeUndefined();
    await page.click("text=← Sessions");
    await expect.poll(() => page.locator(`tr[data-key="${key}"]`).count()).toBe(0);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-phone-dark.png") });
    await page.close();
  });

  it("loads older pages on demand and filters by thread", async () => {
    const key = SEED[4]?.key ?? "";
    const entry = await backend.get(key);
    const base = Date.now() - 3_600_000;
    const many = Array.from({ length: 60 }, (_, i) => ({ role: "user", content: `bulk ${i}`, timestamp: base + i, meta: { threadId: i % 2 === 0 ? "even" : "odd" } }));
    await backend.append(key, entry?.sessionId ?? "", many);
    const page = await newPage();
    await page.goto(dashboard.url);
    await page.goto(`http://127.0.0.1:${dashboard.port}/#/s/${encodeURIComponent(key)}`);
    await page.locator("text=bulk 59").waitFor();
    await expect.poll(() => page.locator("article.message").count()).toBe(50);
    await page.click("#older");
    await expect.poll(() => page.locator("article.message").count()).toBe(61);
    expect(await page.locator("article.message .text").first().textContent()).toBe(SEED[4]?.texts[0]);
    expect(await page.locator("#older").isHidden()).toBe(true);
    await page.fill("#thread", "odd");
    await expect.poll(() => page.locator("article.message").count()).toBe(30);
    expect(await page.locator("article.message .text").allTextContents()).toEqual(many.filter((m) => m.meta.threadId === "odd").map((m) => m.content));
    await page.close();
  });

  it("logged no console error or page error", () => {
    expect(problems).toEqual([]);
  });
});
