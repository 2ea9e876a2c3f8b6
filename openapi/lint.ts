/**
 * `npm run api:lint`: Spectral's OpenAPI and OWASP rules over `openapi.json`. Prints what each
 * justification covers and every finding none does; exits 1 when there is one.
 */
import { JUSTIFICATIONS, lintReport } from "./lint-findings";

const { unjustified, covered } = lintReport();
JUSTIFICATIONS.forEach((justification, i) => {
  console.log(`justified ×${covered[i] ?? 0} ${justification.rules.join(", ")}: ${justification.why}`);
});
for (const finding of unjustified) console.log(`FINDING ${finding.code} at ${finding.path.join(".")}: ${finding.message}`);
console.log(unjustified.length === 0 ? "api:lint: nothing unjustified" : `api:lint: ${unjustified.length} findings to fix or justify`);
process.exitCode = unjustified.length === 0 ? 0 : 1;
