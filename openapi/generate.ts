/**
 * The committed document's file and its exact text: what `npm run openapi` writes and the test
 * compares the committed file with.
 */
import * as path from "node:path";
import { buildDocument } from "./document";
import { recordAnswers } from "./recorded-answers";

/** `openapi.json` at the repository's root, where the apps and the local runtime find it. */
export const OPENAPI_FILE = path.resolve(__dirname, "../openapi.json");

export async function generateDocumentText(dynamoEndpoint: string): Promise<string> {
  return `${JSON.stringify(buildDocument(await recordAnswers(dynamoEndpoint)), null, 2)}\n`;
}
