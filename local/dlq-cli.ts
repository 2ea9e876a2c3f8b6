/**
 * `npm run local:dlq [-- --redrive] [-- --port <port>]`: what waits in the running local
 * runtime's DLQ, and, with `--redrive`, sends it all back to the queue.
 */
import "./quiet-sdk-warning";
import { parseArgs } from "node:util";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { redrive: { type: "boolean", default: false }, port: { type: "string", default: process.env.PORT ?? "3000" } },
  });
  const base = `http://127.0.0.1:${values.port}`;
  const listing = (await (await fetch(`${base}/_local/dlq`)).json()) as { count: number; messages: unknown[] };
  console.log(`${listing.count} message(s) in the DLQ`);
  for (const message of listing.messages) console.log(JSON.stringify(message));
  if (values.redrive) {
    const result = (await (await fetch(`${base}/_local/dlq/redrive`, { method: "POST" })).json()) as { redriven: number };
    console.log(`redrove ${result.redriven} message(s) to the queue`);
  }
}

main().catch((error: unknown) => {
  console.error(`Is the local runtime running (npm start)? ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
