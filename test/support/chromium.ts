/**
 * The browser the API reference page is rendered in: Debian's `chromium` package (`.ci/run`
 * installs it where it is missing), or the one `CHROMIUM_PATH` names (GitHub's Ubuntu runners
 * ship Google Chrome instead). One place, read by the test and by `npm test`'s prerequisites.
 */
export const chromiumPath = (env: NodeJS.ProcessEnv = process.env): string => env.CHROMIUM_PATH || "/usr/bin/chromium";
