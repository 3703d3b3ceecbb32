// End-to-end test of `factmine report`'s pages in headless Chromium: the
// overview and one ICS page opened from disk (file://), their charts and
// tables, a link followed to its sentence, no console error, and markup in
// an article shown as text. Run from the repository root after
// `cargo build --release` (see review.test.mjs for the variables).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..", "..");
const bin = process.env.FACTMINE_BIN || join(root, "target", "release", "factmine");
const work = mkdtempSync(join(tmpdir(), "factmine-report-"));
const articles = join(work, "articles");
const report = join(work, "report");

let browser;

function factmine(...args) {
  const r = spawnSync(bin, args, { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, `factmine ${args.join(" ")}: ${r.stderr}`);
}

before(async () => {
  mkdirSync(articles);
  for (const name of ["midlands-icbs-cyber-and-pathology-funding.txt", "west-suffolk-nhs-app.txt"]) {
    copyFileSync(join(root, "corpus", "news", name), join(articles, name));
  }
  copyFileSync(
    join(root, "corpus", "html", "west-midlands-shared-records.html"),
    join(articles, "west-midlands-shared-records.html"),
  );
  writeFileSync(
    join(articles, "zz-script-in-text.txt"),
    "A page that quotes markup\n\nCoventry and Warwickshire ICB said <script>alert(1)</script> and " +
      "<img src=x onerror=alert(2)> were pasted into 41 percent of the drafts.\n",
  );
  factmine("extract", articles, "--out", join(work, "run"), "-q");
  factmine("report", join(work, "run"), "--out", report, "-q");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--allow-file-access-from-files"],
  });
});

after(async () => {
  if (browser) await browser.close();
});

// A page that records console errors, failed requests and dialogs.
async function open(path) {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(String(e)));
  page.on("requestfailed", (r) => problems.push("failed " + r.url()));
  page.on("dialog", (d) => { problems.push("dialog " + d.message()); d.dismiss(); });
  await page.goto(pathToFileURL(path).href);
  return { page, problems };
}

test("the overview lists all 42 ICSs by region, with two charts", async () => {
  const { page, problems } = await open(join(report, "index.html"));
  assert.equal(await page.locator("svg.chart").count(), 2);
  assert.ok((await page.locator("svg.chart rect").count()) > 10);
  assert.equal(await page.locator("table.systems").count(), 7);
  assert.equal(await page.locator("table.systems tbody tr").count(), 42);
  const none = await page.locator("tr.none").count();
  assert.ok(none >= 38, `ICSs without coverage: ${none}`);
  const row = page.locator("table.systems tr", { hasText: "Coventry and Warwickshire" });
  assert.match(await row.innerText(), /£7\.1 million/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("an ICS page links each item to its sentence, and markup stays text", async () => {
  const { page, problems } = await open(join(report, "index.html"));
  await page.click("text=Coventry and Warwickshire");
  await page.waitForURL(/coventry-and-warwickshire\.html$/);
  for (const table of ["organisations", "technologies", "money", "timeline", "percentages"]) {
    assert.equal(await page.locator(`table.${table}`).count(), 1, table);
  }
  const link = page.locator("table.money a").first();
  const href = await link.getAttribute("href");
  await link.click();
  await page.waitForURL(new RegExp(href + "$"));
  const target = page.locator(":target");
  assert.equal(await target.count(), 1);
  assert.match(await target.locator("mark").innerText(), /£/);
  assert.match(await target.innerText(), /Midlands ICBs|West Midlands/);
  // The hostile article's sentence is on this page, as text.
  const body = await page.locator("body").innerText();
  assert.ok(body.includes("<script>alert(1)</script>"), "markup shown as text");
  assert.ok(body.includes("<img src=x onerror=alert(2)>"));
  assert.equal(await page.locator("script").count(), 0);
  assert.equal(await page.locator("img").count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});
