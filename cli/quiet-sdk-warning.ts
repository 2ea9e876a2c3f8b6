/**
 * Imported first by every command run from a checkout: the AWS SDK warns on each Node.js 20
 * process that its releases after early January 2027 need Node.js 22. `npm start` says it once,
 * in its banner; the other commands (demo, local:dlq, local:events, backfill, bench, openapi)
 * would only repeat it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
