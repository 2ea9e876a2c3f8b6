/**
 * `npm run local:events [-- --source <source>] [-- --port <port>]`: follows the running local
 * runtime's bus — every event it has seen, then each new one as it arrives, one line each
 * (time, source, detail-type, detail) — until Ctrl-C.
 */
import "../cli/quiet-sdk-warning";
import { parseArgs } from "node:util";
import type { EventEnvelope } from "./event-log";

/** How often the bus is asked for what is new. */
const POLL_MS = 250;

const line = (event: EventEnvelope) => `${event.time}  ${event.source}  ${event["detail-type"]}  ${JSON.stringify(event.detail)}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { source: { type: "string" }, port: { type: "string", default: process.env.PORT ?? "3000" } },
  });
  const base = `http://127.0.0.1:${values.port}/_local/events`;
  let seen = 0;
  let stopped = false;
  process.once("SIGINT", () => {
    stopped = true;
  });
  while (!stopped) {
    const query = new URLSearchParams({ after: String(seen), ...(values.source === undefined ? {} : { source: values.source }) });
    const page = (await (await fetch(`${base}?${query}`)).json()) as { events: EventEnvelope[]; seen: number };
    for (const event of page.events) console.log(line(event));
    seen = page.seen;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

main().catch((error: unknown) => {
  console.error(`Is the local runtime running (npm start)? ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
