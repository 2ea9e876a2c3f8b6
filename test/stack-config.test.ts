/**
 * Stack config validation: one case per rule, each message naming the key, the expectation
 * and what was found — and a bad config stops the program before it registers anything.
 */
import test from "ava";
import { InvalidStackConfigError, parseStackConfig } from "../config/stack-config";
import { readStackFile } from "../config/stack-file";
import { ProgramFailedError } from "../harness/mock-program";
import { runWithConfig } from "../harness/stack-run";

const VALID: Record<string, string> = {
  "aws:region": "eu-west-1",
  "otrium-loyalty:earnRules": '{"EUR": 1}',
  "otrium-loyalty:publisherAccounts": '["444455556666"]',
};

function problemsWith(overrides: Record<string, string | undefined>): string {
  const config: Record<string, string> = { ...VALID };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete config[key];
    else config[key] = value;
  }
  const error = (() => {
    try {
      parseStackConfig(config);
      return undefined;
    } catch (caught) {
      return caught;
    }
  })();
  if (!(error instanceof InvalidStackConfigError)) throw new Error(`expected InvalidStackConfigError for ${JSON.stringify(overrides)}`);
  return error.message;
}

test("the minimal config gets secure defaults", (t) => {
  t.like(parseStackConfig(VALID), {
    region: "eu-west-1",
    earnRules: { EUR: 1 },
    publisherAccounts: ["444455556666"],
    redriveOperators: [],
    eventBusName: "default",
    eventSource: "otrium.ecommerce",
    maxReceiveCount: 5,
    writer: { timeoutSeconds: 30, memoryMb: 256, batchSize: 10, batchingWindowSeconds: 0, maxConcurrency: 5 },
    api: {
      stageName: "v1",
      auth: { type: "iam" },
      adminPrincipals: [],
      allowedOrigins: [],
      throttle: { rateLimit: 50, burstLimit: 100 },
      manageAccountLogRole: false,
    },
    logLevel: "info",
    logRetentionDays: 30,
    deletionProtection: true,
    alarmEmails: [],
  });
});

test("both real stack files are valid", (t) => {
  t.like(parseStackConfig(readStackFile("dev")), { deletionProtection: false, api: { auth: { type: "iam" }, manageAccountLogRole: true } });
  t.like(parseStackConfig(readStackFile("prod")), { deletionProtection: true, api: { auth: { type: "cognito" } } });
});

test("dev and prod carry Otrium's three levels; without the key a stack has no tiers", (t) => {
  const otrium = {
    levels: [
      { name: "Member", threshold: 0, multiplier: 1 },
      { name: "Silver", threshold: 500, multiplier: 1.25 },
      { name: "Gold", threshold: 1500, multiplier: 1.5 },
    ],
    windowDays: 365,
  };
  t.deepEqual(parseStackConfig(readStackFile("dev")).tiers, otrium);
  t.deepEqual(parseStackConfig(readStackFile("prod")).tiers, otrium);
  t.is(parseStackConfig(VALID).tiers, undefined);
  // A level's multiplier defaults to 1, the window to a year.
  t.deepEqual(parseStackConfig({ ...VALID, "otrium-loyalty:tiers": '{"levels": [{"name": "Member", "threshold": 0}]}' }).tiers, {
    levels: [{ name: "Member", threshold: 0, multiplier: 1 }],
    windowDays: 365,
  });
});

const CASES: Array<[string, Record<string, string | undefined>, RegExp]> = [
  ["aws:region missing", { "aws:region": undefined }, /aws:region: must be set .* \(found nothing\)/],
  ["aws:region malformed", { "aws:region": "Ireland" }, /aws:region: must be an AWS region like eu-west-1 \(found "Ireland"\)/],
  ["earnRules missing", { "otrium-loyalty:earnRules": undefined }, /otrium-loyalty:earnRules: is required \(found nothing\)/],
  ["earnRules empty", { "otrium-loyalty:earnRules": "{}" }, /otrium-loyalty:earnRules: must name at least one currency \(found \{\}\)/],
  [
    "earnRules unknown currency",
    { "otrium-loyalty:earnRules": '{"XYZ": 1}' },
    /otrium-loyalty:earnRules\.XYZ: is not an active ISO 4217 currency/,
  ],
  [
    "earnRules negative rate",
    { "otrium-loyalty:earnRules": '{"EUR": -1}' },
    /otrium-loyalty:earnRules\.EUR: must not be negative \(found -1\)/,
  ],
  [
    "earnRules three decimals",
    { "otrium-loyalty:earnRules": '{"EUR": 1.125}' },
    /otrium-loyalty:earnRules\.EUR: must have at most two decimals \(found 1\.125\)/,
  ],
  [
    "maxReceiveCount zero",
    { "otrium-loyalty:maxReceiveCount": "0" },
    /otrium-loyalty:maxReceiveCount: must be a whole number from 1 to 1000 \(found 0\)/,
  ],
  [
    "maxReceiveCount text",
    { "otrium-loyalty:maxReceiveCount": "many" },
    /otrium-loyalty:maxReceiveCount: must be a whole number from 1 to 1000 \(found "many"\)/,
  ],
  [
    "writer timeout too long",
    { "otrium-loyalty:writer": '{"timeoutSeconds": 901}' },
    /otrium-loyalty:writer\.timeoutSeconds: must be a whole number from 1 to 900 \(found 901\)/,
  ],
  [
    "writer concurrency below Lambda's minimum",
    { "otrium-loyalty:writer": '{"maxConcurrency": 1}' },
    /otrium-loyalty:writer\.maxConcurrency: must be a whole number from 2 to 1000 \(found 1\)/,
  ],
  [
    "batch over 10 without a window",
    { "otrium-loyalty:writer": '{"batchSize": 50}' },
    /otrium-loyalty:writer\.batchingWindowSeconds: must be at least 1 when batchSize is over 10 \(found nothing\)/,
  ],
  [
    "batching window too long",
    { "otrium-loyalty:writer": '{"batchingWindowSeconds": 301}' },
    /otrium-loyalty:writer\.batchingWindowSeconds: must be a whole number from 0 to 300 \(found 301\)/,
  ],
  [
    "unknown auth type",
    { "otrium-loyalty:api": '{"auth": {"type": "apikey"}}' },
    /otrium-loyalty:api\.auth\.type: must be \{type: "iam"\}, \{type: "cognito", userPoolArn\} or \{type: "none", openToTheInternet: true\} \(found "apikey"\)/,
  ],
  [
    "no auth without saying so",
    { "otrium-loyalty:api": '{"auth": {"type": "none"}}' },
    /otrium-loyalty:api\.auth\.openToTheInternet: must be set: \{type: "none"\} needs openToTheInternet: true .* \(found nothing\)/,
  ],
  [
    "no auth, said half-heartedly",
    { "otrium-loyalty:api": '{"auth": {"type": "none", "openToTheInternet": "yes"}}' },
    /otrium-loyalty:api\.auth\.openToTheInternet: must be true: without auth anyone on the internet reads, spends and cancels any customer's points \(found "yes"\)/,
  ],
  [
    "publisher accounts missing",
    { "otrium-loyalty:publisherAccounts": undefined },
    /otrium-loyalty:publisherAccounts: is required \(found nothing\)/,
  ],
  [
    "publisher accounts empty",
    { "otrium-loyalty:publisherAccounts": "[]" },
    /otrium-loyalty:publisherAccounts: must name at least one publisher account \(found \[\]\)/,
  ],
  [
    "publisher account malformed",
    { "otrium-loyalty:publisherAccounts": '["4444-5555-6666"]' },
    /otrium-loyalty:publisherAccounts\.0: must be a 12-digit AWS account id \(found "4444-5555-6666"\)/,
  ],
  [
    "redrive operator not an ARN",
    { "otrium-loyalty:redriveOperators": '["ops"]' },
    /otrium-loyalty:redriveOperators\.0: must be an IAM role or user ARN like arn:aws:iam::123456789012:role\/name \(found "ops"\)/,
  ],
  [
    "admin principal not an ARN",
    { "otrium-loyalty:api": '{"adminPrincipals": ["support"]}' },
    /otrium-loyalty:api\.adminPrincipals\.0: must be an IAM role or user ARN .* \(found "support"\)/,
  ],
  [
    "pending days beyond a year",
    { "otrium-loyalty:lifecycle": '{"pendingDays": 400, "expiryDays": 0}' },
    /otrium-loyalty:lifecycle\.pendingDays: must be at most 365 \(found 400\)/,
  ],
  [
    "expiry days not whole",
    { "otrium-loyalty:lifecycle": '{"pendingDays": 30, "expiryDays": 1.5}' },
    /otrium-loyalty:lifecycle\.expiryDays: must be a whole number of days \(found 1\.5\)/,
  ],
  [
    "lifecycle half given",
    { "otrium-loyalty:lifecycle": '{"pendingDays": 30}' },
    /otrium-loyalty:lifecycle\.expiryDays: must be \{pendingDays, expiryDays\}, both given in whole days \(found nothing\)/,
  ],
  [
    "a typo inside lifecycle",
    { "otrium-loyalty:lifecycle": '{"pendingDays": 30, "expiryDay": 365}' },
    /otrium-loyalty:lifecycle\.expiryDay: unknown key/,
  ],
  [
    "tiers without levels",
    { "otrium-loyalty:tiers": '{"windowDays": 365}' },
    /otrium-loyalty:tiers\.levels: must be \{levels: \[\{name, threshold, multiplier\?\}\], windowDays\?\} \(found nothing\)/,
  ],
  [
    "tiers with no level",
    { "otrium-loyalty:tiers": '{"levels": []}' },
    /otrium-loyalty:tiers\.levels: must name at least one level \(found \[\]\)/,
  ],
  [
    "tiers whose first level is not at 0",
    { "otrium-loyalty:tiers": '{"levels": [{"name": "Silver", "threshold": 500}]}' },
    /otrium-loyalty:tiers\.levels: must start with a level at threshold 0 \(found \[\{"name":"Silver","threshold":500\}\]\)/,
  ],
  [
    "tier levels out of order",
    {
      "otrium-loyalty:tiers":
        '{"levels": [{"name": "Member", "threshold": 0}, {"name": "Gold", "threshold": 1500}, {"name": "Silver", "threshold": 500}]}',
    },
    /otrium-loyalty:tiers\.levels: must be in ascending order of threshold, no two alike/,
  ],
  [
    "two tier levels at one threshold",
    { "otrium-loyalty:tiers": '{"levels": [{"name": "Member", "threshold": 0}, {"name": "Silver", "threshold": 0}]}' },
    /otrium-loyalty:tiers\.levels: must be in ascending order of threshold, no two alike/,
  ],
  [
    "a tier level's name twice",
    { "otrium-loyalty:tiers": '{"levels": [{"name": "Member", "threshold": 0}, {"name": "Member", "threshold": 10}]}' },
    /otrium-loyalty:tiers\.levels: must not repeat a level's name/,
  ],
  [
    "a tier multiplier below 1",
    { "otrium-loyalty:tiers": '{"levels": [{"name": "Member", "threshold": 0, "multiplier": 0.5}]}' },
    /otrium-loyalty:tiers\.levels\.0\.multiplier: must be from 1 to 10 with at most two decimals \(found 0\.5\)/,
  ],
  [
    "a tier multiplier with three decimals",
    {
      "otrium-loyalty:tiers": '{"levels": [{"name": "Member", "threshold": 0}, {"name": "Silver", "threshold": 500, "multiplier": 1.125}]}',
    },
    /otrium-loyalty:tiers\.levels\.1\.multiplier: must be from 1 to 10 with at most two decimals \(found 1\.125\)/,
  ],
  [
    "a tier threshold not whole",
    { "otrium-loyalty:tiers": '{"levels": [{"name": "Member", "threshold": 0}, {"name": "Silver", "threshold": 499.5}]}' },
    /otrium-loyalty:tiers\.levels\.1\.threshold: must be a whole number of points \(found 499\.5\)/,
  ],
  [
    "a tier window of no days",
    { "otrium-loyalty:tiers": '{"levels": [{"name": "Member", "threshold": 0}], "windowDays": 0}' },
    /otrium-loyalty:tiers\.windowDays: must be at least 1 \(found 0\)/,
  ],
  [
    "a typo inside a tier level",
    { "otrium-loyalty:tiers": '{"levels": [{"name": "Member", "treshold": 0}]}' },
    /otrium-loyalty:tiers\.levels\.0\.treshold: unknown key \(known keys: name, threshold, multiplier\)/,
  ],
  [
    "a typo inside writer",
    { "otrium-loyalty:writer": '{"timeoutSecond": 600}' },
    /otrium-loyalty:writer\.timeoutSecond: unknown key \(known keys: timeoutSeconds, memoryMb, batchSize, batchingWindowSeconds, maxConcurrency\) \(found 600\)/,
  ],
  [
    "a typo inside api",
    { "otrium-loyalty:api": '{"allowedOrigin": ["https://www.otrium.com"]}' },
    /otrium-loyalty:api\.allowedOrigin: unknown key \(known keys: stageName, auth, .*\)/,
  ],
  [
    "a typo inside throttle",
    { "otrium-loyalty:api": '{"throttle": {"rateLimit": 1, "burstLimit": 2, "burst": 3}}' },
    /otrium-loyalty:api\.throttle\.burst: unknown key \(known keys: rateLimit, burstLimit\) \(found 3\)/,
  ],
  [
    "a key auth does not take",
    { "otrium-loyalty:api": '{"auth": {"type": "iam", "userPoolArn": "arn:aws:cognito-idp:eu-west-1:111122223333:userpool/x"}}' },
    /otrium-loyalty:api\.auth\.userPoolArn: unknown key \(known keys: type\)/,
  ],
  [
    "cognito without a pool",
    { "otrium-loyalty:api": '{"auth": {"type": "cognito"}}' },
    /otrium-loyalty:api\.auth\.userPoolArn: must be set to the Cognito user pool ARN \(found nothing\)/,
  ],
  [
    "cognito with a bad pool ARN",
    { "otrium-loyalty:api": '{"auth": {"type": "cognito", "userPoolArn": "pool-1"}}' },
    /otrium-loyalty:api\.auth\.userPoolArn: must be a Cognito user pool ARN \(found "pool-1"\)/,
  ],
  [
    "bad stage name",
    { "otrium-loyalty:api": '{"stageName": "v 1"}' },
    /otrium-loyalty:api\.stageName: must use only letters, digits, _ and - \(found "v 1"\)/,
  ],
  [
    "bad origin",
    { "otrium-loyalty:api": '{"allowedOrigins": ["www.otrium.com"]}' },
    /otrium-loyalty:api\.allowedOrigins\.0: must be an origin like https:\/\/www\.otrium\.com, or \* \(found "www\.otrium\.com"\)/,
  ],
  [
    "throttle half given",
    { "otrium-loyalty:api": '{"throttle": {"rateLimit": 10}}' },
    /otrium-loyalty:api\.throttle\.burstLimit: must be set: throttle takes both rateLimit and burstLimit \(found nothing\)/,
  ],
  ["log level unknown", { "otrium-loyalty:logLevel": "verbose" }, /otrium-loyalty:logLevel: .* \(found "verbose"\)/],
  [
    "retention CloudWatch refuses",
    { "otrium-loyalty:logRetentionDays": "10" },
    /otrium-loyalty:logRetentionDays: must be one of 1, 3, 5, 7, 14, 30.* \(found 10\)/,
  ],
  [
    "deletion protection not boolean",
    { "otrium-loyalty:deletionProtection": "yes" },
    /otrium-loyalty:deletionProtection: must be true or false \(found "yes"\)/,
  ],
  [
    "alarm email malformed",
    { "otrium-loyalty:alarmEmails": '["oncall"]' },
    /otrium-loyalty:alarmEmails\.0: must be an email address \(found "oncall"\)/,
  ],
  [
    "a typo in a key",
    { "otrium-loyalty:deletionProtecton": "false" },
    /otrium-loyalty:deletionProtecton: unknown key \(known keys: earnRules, .*deletionProtection/,
  ],
];

for (const [title, overrides, expected] of CASES) {
  test(`rejected: ${title}`, (t) => {
    t.regex(problemsWith(overrides), expected);
  });
}

test("every problem is reported at once, one per line", (t) => {
  const message = problemsWith({
    "aws:region": undefined,
    "otrium-loyalty:maxReceiveCount": "0",
    "otrium-loyalty:logRetentionDays": "10",
  });
  t.is(message.split("\n").length, 4);
});

test.serial("a bad config stops the program before any resource is registered", async (t) => {
  const error = await t.throwsAsync(runWithConfig({ ...VALID, "otrium-loyalty:maxReceiveCount": "0" }), {
    instanceOf: ProgramFailedError,
  });
  t.is(error?.resourcesRegistered, 0);
  t.true(error?.cause instanceof InvalidStackConfigError);
  t.regex(String(error?.message), /otrium-loyalty:maxReceiveCount: must be a whole number from 1 to 1000 \(found 0\)/);
});

test.serial("a bad tier stops the program before any resource is registered, naming the key", async (t) => {
  const error = await t.throwsAsync(
    runWithConfig({ ...VALID, "otrium-loyalty:tiers": '{"levels": [{"name": "Member", "threshold": 0, "multiplier": 0.9}]}' }),
    { instanceOf: ProgramFailedError },
  );
  t.is(error?.resourcesRegistered, 0);
  t.regex(
    String(error?.message),
    /otrium-loyalty:tiers\.levels\.0\.multiplier: must be from 1 to 10 with at most two decimals \(found 0\.9\)/,
  );
});

test.serial("a valid config runs the program", async (t) => {
  const run = await runWithConfig(VALID);
  t.true(run.resources.length > 40);
});
