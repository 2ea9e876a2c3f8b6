/**
 * `/docs` renders: headless Chromium loads the API reference from a real `npm start` (the run's shared one under `npm test`) and finds
 * every route's heading, with nothing fetched from anywhere but the local runtime (the page
 * must work offline, so no CDN).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import test from "ava";
import { chromium } from "playwright-core";
import { API_ROUTES } from "../handlers/http/routes";
import { ROUTE_CONTRACTS, type RouteName } from "../openapi/route-contracts";
import { chromiumPath } from "./support/chromium";
import { assertNoJvmLeft } from "./support/no-jvm-left";
import { runningLoop } from "./support/npm-start";

// Serial: ava runs hooks of one kind concurrently; this check must follow every other hook.
test.serial.after.always(assertNoJvmLeft);

const CHROMIUM = chromiumPath();

test("GET /docs renders the API reference with every route's heading, offline", async (t) => {
  const { endpoint: origin } = await runningLoop(t);

  const profile = mkdtempSync(path.join(tmpdir(), "docs-chromium-"));
  // Teardowns run last-registered first: the browser closes before its profile is removed.
  t.teardown(() => rmSync(profile, { recursive: true, force: true }));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  t.teardown(() => browser.close());

  const page = await browser.newPage();
  const elsewhere: string[] = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith("data:")) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  const failed: string[] = [];
  page.on("pageerror", (error) => failed.push(error.message));

  const response = await page.goto(`${origin}/docs`);
  t.is(response?.status(), 200);
  await page.getByRole("heading", { name: "Otrium loyalty API" }).waitFor({ timeout: 30_000 });
  for (const name of Object.keys(API_ROUTES) as RouteName[]) {
    const route = API_ROUTES[name];
    const heading = page.locator(`#operations-${route.handler}-${name}`);
    await heading.waitFor({ timeout: 10_000 });
    const text = (await heading.locator(".opblock-summary").textContent()) ?? "";
    t.true(
      text.includes(route.method) && text.includes(route.resource) && text.includes(ROUTE_CONTRACTS[name].summary),
      `${route.method} ${route.resource}: ${text}`,
    );
  }
  t.deepEqual(elsewhere, [], "the page fetched nothing from outside the local runtime");
  t.deepEqual(failed, [], "the page ran without errors");
});
