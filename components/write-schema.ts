/**
 * `npm run schema`: writes `schema.json`, the package's surface in every Pulumi language, so a
 * reviewer sees each change to it in a diff. A test fails while the file differs from the code.
 */
import { writeFileSync } from "node:fs";
import { packageSchemaText, SCHEMA_FILE } from "./package-schema";

packageSchemaText().then(
  (text) => {
    writeFileSync(SCHEMA_FILE, text);
    console.log("schema: wrote schema.json");
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
