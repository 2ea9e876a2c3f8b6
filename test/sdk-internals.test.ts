/**
 * Canary for `harness/sdk-internals.ts`: each Pulumi SDK internal the harness and the policy
 * runner rely on still exists and behaves as they assume, checked against the installed SDKs. A
 * failure names the internal, so an SDK upgrade that moves one stops here instead of quietly
 * weakening the policy check. Where the policy server's own behaviour is reproduced (enforcement
 * levels, `isType`, unknowns during preview), the server's analyze function is run on the same
 * policies and compared with the runner's answer.
 */
import * as aws from "@pulumi/aws";
import type { EnforcementLevel, Policies, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import test from "ava";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ProgramFailedError, runProgram } from "../harness/mock-program";
import {
  constructedProtected,
  enforcementLevelOf,
  isTypeOf,
  reportedLevel,
  resourcesBehind,
  typeTokenOf,
  UNKNOWN,
  unknownCheckingProxy,
  UnknownValueError,
} from "../harness/sdk-internals";
import { evaluatePolicies } from "../policies/runner/evaluate";

// --- @pulumi/pulumi ----------------------------------------------------------------------------

/** The smallest custom resource: registered under the harness's mocks like any provider's. */
class Thing extends pulumi.CustomResource {
  constructor(name: string, opts?: pulumi.CustomResourceOptions) {
    super("canary:index:Thing", name, {}, opts);
  }
}

test("pulumi.runtime.unknownValue: the wire marker the policy SDK's proxy refuses to read", (t) => {
  t.is(typeof UNKNOWN, "string", "pulumi.runtime.unknownValue is no longer exported");
  const props: { sse: { kmsKeyArn: string }; known: string } = unknownCheckingProxy({ sse: { kmsKeyArn: UNKNOWN }, known: "x" });
  t.is(props.known, "x");
  const error = t.throws(
    () => props.sse.kmsKeyArn,
    { instanceOf: UnknownValueError },
    "@pulumi/policy's unknownCheckingProxy no longer throws UnknownValueError on pulumi.runtime.unknownValue",
  );
  t.regex(error?.message ?? "", /\.sse\.kmsKeyArn can't be known during preview/, "UnknownValueError's message changed");
});

test.serial("Output#allResources (getAllResources): an input's source resources, through apply and all", async (t) => {
  const found: Record<string, string[]> = {};
  const names = async (output: pulumi.Output<unknown>) => {
    const resources = await resourcesBehind(output);
    const urns = await Promise.all([...resources].map((r) => new Promise<string>((resolve) => r.urn.apply(resolve))));
    return urns.map((urn) => urn.split("::").pop() ?? urn).sort();
  };
  await runProgram(async () => {
    const a = new Thing("a");
    const b = new Thing("b");
    found.direct = await names(a.urn);
    found.combined = await names(pulumi.all([a.urn, b.id]).apply(([urn, id]) => `${urn}/${id}`));
    found.plain = await names(pulumi.output("no resource"));
  });
  t.deepEqual(found, { direct: ["a"], combined: ["a", "b"], plain: [] }, "Output#allResources no longer traces an input's resources");
});

test.serial("Resource#__protect: set by the protect option, and children inherit it", async (t) => {
  const seen: Record<string, boolean> = {};
  const run = await runProgram(() => {
    const locked = new pulumi.ComponentResource("canary:index:Group", "locked", {}, { protect: true });
    const open = new pulumi.ComponentResource("canary:index:Group", "open", {});
    new Thing("locked-child", { parent: locked });
    new Thing("open-child", { parent: open });
    seen.locked = constructedProtected(locked);
    seen.open = constructedProtected(open);
  });
  t.deepEqual(seen, { locked: true, open: false }, "Resource#__protect no longer records the protect option");
  t.true(run.get("canary:index:Thing", "locked-child").protect, "a child of a protected component is protected");
  t.false(run.get("canary:index:Thing", "open-child").protect);
});

test.serial(
  "a program runs without stack frames (the SDK's stack per promise is the cost), and its error still says what failed",
  async (t) => {
    const before = Error.stackTraceLimit;
    let stackInside = "";
    const run = await runProgram(() => {
      new Thing("framed");
      stackInside = new Error("inside").stack ?? "";
    });
    t.is(run.resources.length, 1);
    t.is(stackInside, "Error: inside", "an error made while a program runs captures no frames");
    t.is(Error.stackTraceLimit, before, "the stack limit is given back after a run");

    const failed = await t.throwsAsync(
      runProgram(() => {
        new Thing("before-the-throw");
        throw new TypeError("the store's table name is missing");
      }),
      { instanceOf: ProgramFailedError },
    );
    t.is(failed?.message, "the store's table name is missing");
    t.true(failed?.cause instanceof TypeError, String(failed?.cause));
    t.is(failed?.resourcesRegistered, 1);
    t.is(Error.stackTraceLimit, before, "the stack limit is given back after a failed run");
  },
);

test("__pulumiType: generated resource classes carry their type token", (t) => {
  t.is(typeTokenOf(aws.sqs.Queue), "aws:sqs/queue:Queue", "aws.sqs.Queue.__pulumiType is gone or changed");
  t.is(typeTokenOf(aws.dynamodb.Table), "aws:dynamodb/table:Table");
  t.is(typeTokenOf(pulumi.ComponentResource), undefined);
});

// --- the policy server, compared with the runner -----------------------------------------------

const PACK_LEVEL: EnforcementLevel = "advisory";
const QUEUE = "aws:sqs/queue:Queue";

/** Whether the server's `args.isType` and the runner's agree, per class. */
const isTypeAnswers: Record<string, Array<[string, boolean]>> = { server: [], runner: [] };
const classes: Array<[string, Parameters<ResourceValidationArgs["isType"]>[0]]> = [
  ["aws.sqs.Queue", aws.sqs.Queue],
  ["aws.sqs.QueuePolicy", aws.sqs.QueuePolicy],
  ["pulumi.ComponentResource", pulumi.ComponentResource],
];

const violating = (name: string, enforcementLevel?: EnforcementLevel): ResourceValidationPolicy => ({
  name,
  description: "canary",
  ...(enforcementLevel === undefined ? {} : { enforcementLevel }),
  validateResource: (_args, report) => report(`${name} violated`),
});

function policies(who: "server" | "runner"): Policies {
  return [
    violating("pack-level"),
    violating("own-mandatory", "mandatory"),
    violating("own-remediate", "remediate"),
    violating("own-disabled", "disabled"),
    {
      name: "reads-unknown",
      description: "canary",
      validateResource: (args, report) => {
        if (String(Reflect.get(args.props, "kmsMasterKeyId")) === "") report("unreachable");
      },
    },
    {
      name: "is-type",
      description: "canary",
      validateResource: (args) => {
        isTypeAnswers[who] = classes.map(([label, resourceClass]) => [label, args.isType(resourceClass)]);
      },
    },
  ];
}

const LEVELS: Record<analyzerproto.EnforcementLevel, EnforcementLevel> = {
  [analyzerproto.EnforcementLevel.ADVISORY]: "advisory",
  [analyzerproto.EnforcementLevel.MANDATORY]: "mandatory",
  [analyzerproto.EnforcementLevel.DISABLED]: "disabled",
  [analyzerproto.EnforcementLevel.REMEDIATE]: "remediate",
};

/** One queue, with an unknown key, through the policy server's own analyze function. */
async function serverDiagnostics(): Promise<Array<{ policy: string; level: EnforcementLevel; message: string }>> {
  // The server module is internal to @pulumi/policy: reached here only, to compare with it.
  const server: unknown = require("@pulumi/policy/server");
  const makeAnalyze: unknown = Reflect.get(Object(server), "makeAnalyzeRpcFun");
  if (typeof makeAnalyze !== "function") throw new Error("@pulumi/policy/server no longer exports makeAnalyzeRpcFun");
  const analyze: unknown = Reflect.apply(makeAnalyze, undefined, ["canary", "1.0.0", PACK_LEVEL, policies("server")]);
  if (typeof analyze !== "function") throw new Error("makeAnalyzeRpcFun no longer returns the analyze handler");
  const request = new analyzerproto.AnalyzeRequest()
    .setType(QUEUE)
    .setName("q")
    .setUrn(`urn:pulumi:test::canary::${QUEUE}::q`)
    .setProperties(Struct.fromJavaScript({ kmsMasterKeyId: UNKNOWN }))
    .setOptions(new analyzerproto.AnalyzerResourceOptions());
  const response = await new Promise<unknown>((resolve, reject) => {
    Reflect.apply(analyze, undefined, [{ request }, (error: unknown, answer: unknown) => (error ? reject(error) : resolve(answer))]);
  });
  if (!(response instanceof analyzerproto.AnalyzeResponse)) throw new Error("the analyze handler no longer answers an AnalyzeResponse");
  return response
    .getDiagnosticsList()
    .map((d) => ({ policy: d.getPolicyname(), level: LEVELS[d.getEnforcementlevel()], message: d.getMessage() }));
}

test.serial("enforcement levels, unknowns and isType: the runner judges as the policy server does", async (t) => {
  const server = await serverDiagnostics();
  const runner = await evaluatePolicies(
    [
      {
        type: QUEUE,
        name: "q",
        urn: `urn:pulumi:test::canary::${QUEUE}::q`,
        parentUrn: undefined,
        custom: true,
        protect: false,
        retainOnDelete: false,
        inputs: { kmsMasterKeyId: UNKNOWN },
        dependencies: [],
        propertyDependencies: {},
      },
    ],
    policies("runner"),
    {},
    PACK_LEVEL,
  );
  const levels = (list: Array<{ policy: string; level: EnforcementLevel }>) => list.map((d) => [d.policy, d.level]).sort();
  t.deepEqual(levels(runner), levels(server), "the policy server's enforcement-level precedence changed");
  t.deepEqual(levels(server), [
    ["own-mandatory", "mandatory"],
    ["own-remediate", "mandatory"],
    ["pack-level", "advisory"],
    ["reads-unknown", "advisory"],
  ]);
  // The server adds which pack the policy came from; the runner judges one pack and leaves it out.
  const unknownMessage = (list: Array<{ policy: string; message: string }>) =>
    list.find((d) => d.policy === "reads-unknown")?.message ?? "";
  const [, reason] = /during preview: (.*)$/.exec(unknownMessage(server)) ?? [];
  t.regex(
    unknownMessage(server),
    /^can't run policy 'reads-unknown' .*during preview: /,
    "the server's can't-run-during-preview message changed",
  );
  t.is(unknownMessage(runner), `can't run policy 'reads-unknown' during preview: ${reason ?? "(no reason)"}`);
  t.deepEqual(isTypeAnswers.runner, isTypeAnswers.server, "the policy server's isType changed");
  t.deepEqual(isTypeAnswers.server, [
    ["aws.sqs.Queue", true],
    ["aws.sqs.QueuePolicy", false],
    ["pulumi.ComponentResource", false],
  ]);
});

test("the pack config decides before the policy and the pack; remediate is reported as mandatory", (t) => {
  // The server reads config the engine sends it (the CLI resolves `all`): not reachable in-process,
  // so this pins the runner's reading of the documented precedence.
  const policy = violating("p", "advisory");
  t.is(enforcementLevelOf(policy, {}, "mandatory"), "advisory");
  t.is(enforcementLevelOf(policy, { p: "disabled" }, "mandatory"), "disabled");
  t.is(enforcementLevelOf(policy, { p: { enforcementLevel: "mandatory" } }, "advisory"), "mandatory");
  t.is(enforcementLevelOf(policy, { all: "disabled" }, "mandatory"), "disabled");
  t.is(enforcementLevelOf(violating("q"), {}, "mandatory"), "mandatory");
  t.is(reportedLevel("remediate"), "mandatory");
  t.true(isTypeOf(QUEUE, aws.sqs.Queue));
});
