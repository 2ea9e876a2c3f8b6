/**
 * The README names what the code defines: every error code a client can receive and every
 * variable a handler reads. A code or variable added without its line in the README fails here.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import test from "ava";
import { GATEWAY_ANSWERS } from "../components/gateway-responses";
import { ERROR_CODES } from "../handlers/http/responses";
import { HANDLER_ENV_VARIABLES } from "../handlers/runtime/env";

const readme = readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
const section = (heading: string): string => {
  const start = readme.indexOf(`\n## ${heading}`);
  const end = readme.indexOf("\n## ", start + 1);
  return start === -1 ? "" : readme.slice(start, end === -1 ? undefined : end);
};

test("every error code of the functions and of API Gateway's answers is in the README", (t) => {
  const codes = [...ERROR_CODES, ...GATEWAY_ANSWERS.map((answer) => answer.code)];
  t.deepEqual(
    codes.filter((code) => !new RegExp(`\\b${code}\\b`).test(readme)),
    [],
  );
});

test("every variable the handlers read is in the README's environment table", (t) => {
  const table = section("Handler environment");
  t.true(table.length > 0, "the section exists");
  t.deepEqual(
    HANDLER_ENV_VARIABLES.filter((name) => !table.includes(`| \`${name}\` |`)),
    [],
  );
});
