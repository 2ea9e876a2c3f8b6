/**
 * `npm run openapi`: records the real answers on a DynamoDB Local of its own, builds the document
 * and writes `openapi.json`, which the apps generate their clients from. A test fails while the
 * committed file differs from what the code generates.
 */
import "../cli/quiet-sdk-warning";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { startDynamoLocal } from "../local/dynamo-local";
import { OPENAPI_FILE, generateDocumentText } from "./generate";

async function main(): Promise<void> {
  const dynamo = await startDynamoLocal();
  try {
    writeFileSync(OPENAPI_FILE, await generateDocumentText(dynamo.endpoint));
    console.log(`openapi: wrote ${path.relative(process.cwd(), OPENAPI_FILE)}`);
  } finally {
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
