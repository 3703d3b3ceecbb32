// End-to-end test of `factmine review` in headless Chromium (Debian's
// chromium, driven by playwright-core). Run from the repository root after
// `cargo build --release`:
//
//   (cd tests/browser && npm ci && npm test)
//
// FACTMINE_BIN names another binary; CHROMIUM another browser; set
// FACTMINE_SCREENSHOTS to a folder to keep screenshots of each step.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..", "..");
const bin = process.env.FACTMINE_BIN || join(root, "target", "release", "factmine");
const shots = process.env.FACTMINE_SCREENSHOTS;
const work = mkdtempSync(join(tmpdir(), "factmine-review-"));
const articles = join(work, "articles");
const db = join(work, "review.sqlite");
const ARTICLE = "west-suffolk-nhs-app";
const HOSTILE = "zz-script-in-text";

let server;
let url;
let browser;

function startServer() {
  return new Promise((resolveUrl, reject) => {
    const child = spawn(bin, ["review", articles, "--db", db, "--port", "0", "--editor", "browser-test"], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (chunk) => {
      err += chunk;
      const m = err.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolveUrl({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error(`factmine review exited (${code}): ${err}`)));
  });
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, name + ".png"), fullPage: false });
}

before(async () => {
  mkdirSync(articles);
  copyFileSync(join(root, "corpus", "news", ARTICLE + ".txt"), join(articles, ARTICLE + ".txt"));
  writeFileSync(
    join(articles, HOSTILE + ".txt"),
    "A page that quotes markup\n\nNHS England said <script>alert(1)</script> and <img src=x onerror=alert(2)> " +
      "were pasted into 41 percent of the drafts.\n",
  );
  ({ child: server, url } = await startServer());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill("SIGKILL");
});

// The facts the document view shows: id → status class.
async function statuses(page) {
  return page.$$eval("mark[data-fact]", (marks) =>
    Object.fromEntries(marks.map((m) => [m.dataset.fact, (m.className.match(/s-(\w+)/) || [])[1]])));
}

async function currentFact(page) {
  return page.$eval("mark.current", (m) => m.dataset.fact);
}

test("an editor accepts, rejects and corrects facts from the keyboard, and they survive a reload", async () => {
  const page = await browser.newPage();
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(url);
  await page.waitForSelector("table.docs tbody tr");
  // The list is in id order: the article is the first row. Open it with Enter.
  const first = await page.$eval("table.docs tbody tr.current td:nth-child(2)", (td) => td.textContent);
  assert.equal(first, ARTICLE);
  await page.keyboard.press("Enter");
  await page.waitForSelector("mark.current");
  await shot(page, "1-document");

  const accepted = await currentFact(page);
  await page.keyboard.press("a");
  await page.waitForSelector(`mark[data-fact="${accepted}"].s-accepted`);
  const rejected = await currentFact(page);
  assert.notEqual(rejected, accepted, "accepting moves to the next fact");
  await page.keyboard.press("r");
  await page.waitForSelector(`mark[data-fact="${rejected}"].s-rejected`);
  const corrected = await currentFact(page);
  const before = await page.$eval(`mark[data-fact="${corrected}"]`, (m) => m.textContent);
  await page.keyboard.press("e");
  await page.waitForSelector("mark.editing");
  // Widen the span by a word and make it a technology.
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("2");
  await page.waitForFunction(() => document.querySelector("#edit-type").value === "technology");
  await shot(page, "2-correcting");
  await page.keyboard.press("Enter");
  await page.waitForSelector(`mark[data-fact="${corrected}"].s-corrected`);
  await shot(page, "3-decided");
  assert.match(await page.textContent("#status"), /^corrected: technology/);

  await page.reload();
  await page.waitForSelector("mark[data-fact]");
  const after = await statuses(page);
  assert.equal(after[accepted], "accepted");
  assert.equal(after[rejected], "rejected");
  assert.equal(after[corrected], "corrected");
  const widened = await page.$$eval(`mark[data-fact="${corrected}"]`, (ms) => ms.map((m) => m.textContent).join(""));
  assert.ok(widened.startsWith(before) && widened.length > before.length, `${widened} widens ${before}`);
  const reviewed = Object.values(after).filter((s) => s !== "unreviewed").length;
  assert.equal(reviewed, 3);
  assert.deepEqual(dialogs, []);

  // The decisions are in the database under this editor.
  const doc = await (await fetch(`${url}api/document?doc=${ARTICLE}`)).json();
  const decided = doc.facts.filter((f) => f.decision).map((f) => [f.id, f.decision.decision, f.decision.editor]);
  assert.deepEqual(decided.sort(), [
    [accepted, "accept", "browser-test"],
    [rejected, "reject", "browser-test"],
    [corrected, "correct", "browser-test"],
  ].sort());
  await page.close();
});

test("markup in an article's text shows as text and never runs", async () => {
  const page = await browser.newPage();
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(`${url}#/doc/${HOSTILE}`);
  await page.waitForSelector("#text .sec-text");
  await shot(page, "4-markup-as-text");
  const text = await page.textContent("#text");
  assert.ok(text.includes("<script>alert(1)</script>"), text);
  assert.ok(text.includes("<img src=x onerror=alert(2)>"), text);
  assert.equal(await page.$$eval("#text script, #text img", (els) => els.length), 0);
  // Give any injected handler a moment to fire before checking.
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, []);
  await page.close();
});

test("values read as words, and a filter that matches nothing says so", async () => {
  const page = await browser.newPage();
  await page.goto(`${url}#/doc/${HOSTILE}?type=metric`);
  await page.waitForSelector("#text .sec-text");
  // The metric's value beside it and in the panel: "41%", not raw JSON.
  await page.waitForFunction(() => [...document.querySelectorAll("sup.val")].some((s) => s.textContent === "41%"));
  await page.click("mark[data-fact]:has-text('41 percent')");
  await page.waitForFunction(() => document.querySelector("#panel .value-words")?.textContent === "41%");
  await page.goto(`${url}#/?type=date&status=added`);
  await page.waitForFunction(() => document.querySelector("#main p")?.textContent.startsWith("No document has a fact that matches"));
  assert.equal(await page.locator("table.docs tbody tr").count(), 0);
  await page.close();
});
