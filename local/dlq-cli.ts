/**
 * `npm run local:dlq [-- --redrive] [-- --port <port>]`: what waits in the running local
 * runtime's DLQ — each message's event, deliveries, times and why it failed — and, with
 * `--redrive`, sends it all back to the queue.
 */
import "../cli/quiet-sdk-warning";
import { parseArgs } from "node:util";
import type { DeadLetter } from "./dead-letters";

function describe(letter: DeadLetter, index: number): string {
  return [
    `#${index + 1} message ${letter.messageId}`,
    `   sent ${letter.sentAt}; given to the writer ${letter.receiveCount} time(s), first at ${letter.firstReceivedAt ?? "never"}`,
    `   why: ${letter.why}`,
    `   event: ${JSON.stringify(letter.event)}`,
  ].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { redrive: { type: "boolean", default: false }, port: { type: "string", default: process.env.PORT ?? "3000" } },
  });
  const base = `http://127.0.0.1:${values.port}`;
  const listing = (await (await fetch(`${base}/_local/dlq`)).json()) as { count: number; messages: DeadLetter[] };
  console.log(`${listing.count} message(s) in the DLQ`);
  for (const [index, letter] of listing.messages.entries()) console.log(describe(letter, index));
  if (values.redrive) {
    const result = (await (await fetch(`${base}/_local/dlq/redrive`, { method: "POST" })).json()) as { redriven: number };
    console.log(`redrove ${result.redriven} message(s) to the queue`);
  }
}

main().catch((error: unknown) => {
  console.error(`Is the local runtime running (npm start)? ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
