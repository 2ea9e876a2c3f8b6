/**
 * Runs a Pulumi program in-process under `pulumi.runtime.setMocks` and returns every resource
 * it registered as the engine would receive it: type, name, URN, parent, inputs, and which
 * resources each input came from. The policy runner and the tests both use it. Mock state is
 * global, so runs happen one at a time.
 */
import * as pulumi from "@pulumi/pulumi";
import { constructedProtected, resourcesBehind } from "./sdk-internals";
import { required } from "./required";

export const MOCK_ACCOUNT = "123456789012";
export const MOCK_REGION = "eu-west-1";
export const PROJECT = "otrium-loyalty";

export interface CapturedResource {
  type: string;
  name: string;
  urn: string;
  /** The parent's URN; the stack's for top-level resources. */
  parentUrn: string | undefined;
  custom: boolean;
  /** Whether the resource is `protect`ed (given to it, or to a component it belongs to). */
  protect: boolean;
  /** Whether `pulumi destroy` (or a replacement) leaves the cloud resource in place (`retainOnDelete`). */
  retainOnDelete: boolean;
  /** The inputs, resolved; in a preview run, values computed from other resources are `pulumi.isUnknown`. */
  inputs: Record<string, unknown>;
  /** URNs of the resources this one depends on: through its inputs, or `dependsOn`. */
  dependencies: string[];
  /** For each input, the URNs of the resources its value came from. */
  propertyDependencies: Record<string, string[]>;
}

export interface ProgramRun {
  resources: CapturedResource[];
  outputs: Record<string, unknown>;
  /** All resources of a type token, e.g. `aws:sqs/queue:Queue`. */
  ofType(type: string): CapturedResource[];
  /** The one resource of `type` named `name` (throws when absent). */
  get(type: string, name: string): CapturedResource;
}

export interface RunOptions {
  stack?: string;
  /** Config as Pulumi holds it: `<namespace>:<key>` → text (JSON for structured values). */
  config?: Record<string, string>;
  preview?: boolean;
}

/** Thrown when the program itself throws; says how many resources it had registered by then. */
export class ProgramFailedError extends Error {
  override name = "ProgramFailedError";
  constructor(
    override readonly cause: unknown,
    readonly resourcesRegistered: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Values a real provider would compute: ARNs, URLs, names picked by auto-naming. */
function computed(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const service = type.split(":")[1]?.split("/")[0] ?? "aws";
  const physical = typeof inputs.name === "string" ? inputs.name : `${name}-a1b2c3`;
  const arn = `arn:aws:${service}:${MOCK_REGION}:${MOCK_ACCOUNT}:${physical}`;
  const state: Record<string, unknown> = { arn, name: physical, id: `${name}-id` };
  switch (type) {
    case "aws:sqs/queue:Queue":
      state.url = `https://sqs.${MOCK_REGION}.amazonaws.com/${MOCK_ACCOUNT}/${physical}`;
      state.arn = `arn:aws:sqs:${MOCK_REGION}:${MOCK_ACCOUNT}:${physical}`;
      break;
    case "aws:lambda/function:Function":
      state.arn = `arn:aws:lambda:${MOCK_REGION}:${MOCK_ACCOUNT}:function:${physical}`;
      state.invokeArn = `arn:aws:apigateway:${MOCK_REGION}:lambda:path/2015-03-31/functions/${String(state.arn)}/invocations`;
      break;
    case "aws:cloudwatch/logGroup:LogGroup":
      state.name = `${String(inputs.namePrefix ?? "")}a1b2c3`;
      state.arn = `arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT}:log-group:${String(state.name)}`;
      break;
    case "aws:cloudwatch/eventRule:EventRule":
      state.arn = `arn:aws:events:${MOCK_REGION}:${MOCK_ACCOUNT}:rule/${physical}`;
      break;
    case "aws:cloudwatch/eventBus:EventBus":
      state.arn = `arn:aws:events:${MOCK_REGION}:${MOCK_ACCOUNT}:event-bus/${physical}`;
      break;
    case "aws:scheduler/scheduleGroup:ScheduleGroup":
      state.arn = `arn:aws:scheduler:${MOCK_REGION}:${MOCK_ACCOUNT}:schedule-group/${physical}`;
      break;
    case "aws:kms/key:Key":
      state.arn = `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT}:key/${name}-key-id`;
      break;
    case "aws:dynamodb/table:Table":
      state.arn = `arn:aws:dynamodb:${MOCK_REGION}:${MOCK_ACCOUNT}:table/${physical}`;
      if (inputs.streamEnabled === true) state.streamArn = `${String(state.arn)}/stream/2026-01-01T00:00:00.000`;
      break;
    case "aws:apigateway/restApi:RestApi":
      state.rootResourceId = `${name}-root`;
      state.executionArn = `arn:aws:execute-api:${MOCK_REGION}:${MOCK_ACCOUNT}:${name}-id`;
      break;
    case "aws:apigateway/stage:Stage":
      state.invokeUrl = `https://${String(inputs.restApi)}.execute-api.${MOCK_REGION}.amazonaws.com/${String(inputs.stageName)}`;
      break;
    case "aws:cloudwatch/dashboard:Dashboard":
      state.dashboardName = inputs.dashboardName ?? physical;
      break;
    case "aws:cloudwatch/eventTarget:EventTarget":
      state.targetId = `${name}-target`;
      break;
  }
  return state;
}

/**
 * The inputs a provider's state echoes back, less their assets and archives (a function's code).
 * Nothing reads code back from a resource's state, and the SDK turns every response into text for
 * a debug line whether or not debug logging is on (`resp: ${innerResponse}` in
 * `runtime/resource.js`): each function's bundle and source map echoed back (over a megabyte) was
 * copied into a string at every registration, about a quarter of a program run's CPU.
 */
function withoutArchives(inputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(inputs).filter(([, value]) => !(pulumi.asset.Archive.isInstance(value) || pulumi.asset.Asset.isInstance(value))),
  );
}

/** The data sources the program reads. */
function call(token: string): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/ci`, userId: "AIDA", id: MOCK_ACCOUNT };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:index/getRegion:getRegion":
      return { name: MOCK_REGION, region: MOCK_REGION, id: MOCK_REGION };
    default:
      throw new Error(`no mock for data source ${token}`);
  }
}

/**
 * Whether a resource ends up protected: its own `protect`, else its parent's, as the SDK
 * inherits it (the SDK fills the inherited value in after transformations run).
 */
function protectedBy(own: boolean | undefined, parent: pulumi.Resource | undefined): boolean {
  if (own !== undefined) return own;
  return parent !== undefined && constructedProtected(parent);
}

const outputValue = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply((value) => resolve(value)));

/** The resources an input value (plain, an Output, or nested in arrays and objects) came from. */
async function sourcesOf(value: unknown, found = new Set<pulumi.Resource>()): Promise<Set<pulumi.Resource>> {
  if (pulumi.Output.isInstance(value)) {
    for (const resource of await resourcesBehind(value)) found.add(resource);
  } else if (pulumi.Resource.isInstance(value)) {
    // A resource named in `dependsOn`.
    found.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) await sourcesOf(item, found);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) await sourcesOf(item, found);
  }
  return found;
}

async function urnsOf(resources: Iterable<pulumi.Resource>): Promise<string[]> {
  const urns = await Promise.all([...resources].map((resource) => outputValue(resource.urn)));
  return [...new Set(urns)].sort();
}

/** A Pulumi program as `runProgram` takes it. */
// biome-ignore lint/suspicious/noConfusingVoidType: a program's return is ignored unless it gives outputs, as Pulumi's is
type Program = () => Record<string, unknown> | void | Promise<Record<string, unknown> | void>;

/** How many runs are under way, so that only the last to end gives the stack limit back. */
let runsWithoutStacks = 0;
let stackTraceLimitOutside = Error.stackTraceLimit;

/**
 * Pulumi's SDK captures `new Error().stack` on every promise it makes (`debuggablePromise`, kept
 * only for its promise-leak report), and under tsx each capture maps every frame through source
 * maps: a quarter of a program test's CPU. The SDK has no setting for it, so no error captures
 * frames while a program runs here; errors keep their messages. `PULUMI_DEBUG_PROMISE_LEAKS`
 * (the SDK's own switch for printing those stacks) keeps them.
 */
export async function runProgram(program: Program, options: RunOptions = {}): Promise<ProgramRun> {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return runWithMocks(program, options);
  if (runsWithoutStacks++ === 0) {
    stackTraceLimitOutside = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  }
  try {
    return await runWithMocks(program, options);
  } finally {
    if (--runsWithoutStacks === 0) Error.stackTraceLimit = stackTraceLimitOutside;
  }
}

async function runWithMocks(program: Program, options: RunOptions): Promise<ProgramRun> {
  const registered: Array<{ type: string; name: string; inputs: Record<string, unknown>; custom: boolean }> = [];
  const transformed: Array<{
    type: string;
    name: string;
    resource: pulumi.Resource;
    parent?: pulumi.Resource;
    props: Record<string, unknown>;
    dependsOn: unknown;
    protect: boolean;
    retainOnDelete: boolean;
  }> = [];

  pulumi.runtime.setAllConfig(options.config ?? {});
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = args.inputs as Record<string, unknown>;
        registered.push({ type: args.type, name: args.name, inputs, custom: args.custom ?? true });
        const state = options.preview ? {} : computed(args.type, args.name, inputs);
        return { id: options.preview ? undefined : `${args.name}-id`, state: { ...withoutArchives(inputs), ...state } };
      },
      call(args) {
        return call(args.token);
      },
    },
    PROJECT,
    options.stack ?? "test",
    options.preview ?? false,
  );

  // The program's own error is kept from Pulumi's runtime (which would end the process) and
  // rethrown once the registrations it started have settled.
  let programError: unknown;
  const outputs =
    (await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        transformed.push({
          type: args.type,
          name: args.name,
          resource: args.resource,
          parent: args.opts.parent,
          props: args.props,
          dependsOn: args.opts.dependsOn,
          protect: protectedBy(args.opts.protect, args.opts.parent),
          retainOnDelete: args.opts.retainOnDelete ?? false,
        });
        return undefined;
      });
      try {
        return (await program()) ?? {};
      } catch (error) {
        programError = error;
        return {};
      }
    })) ?? {};
  // Registrations finish asynchronously; this waits for every outstanding one.
  await pulumi.runtime.disconnect();
  if (programError !== undefined) {
    const resourcesRegistered = registered.filter((r) => r.type !== "pulumi:pulumi:Stack").length;
    throw new ProgramFailedError(programError, resourcesRegistered);
  }

  const resources: CapturedResource[] = [];
  for (const entry of transformed) {
    const matches = registered.filter((r) => r.type === entry.type && r.name === entry.name);
    if (matches.length !== 1) {
      throw new Error(`${matches.length} registrations of ${entry.type} "${entry.name}": names must be unique per type`);
    }
    const match = required(matches[0], `the registration of ${entry.type} "${entry.name}"`);
    const propertyDependencies: Record<string, string[]> = {};
    const everything = new Set<pulumi.Resource>(await sourcesOf(entry.dependsOn));
    for (const [key, value] of Object.entries(entry.props)) {
      const sources = await sourcesOf(value);
      if (sources.size > 0) propertyDependencies[key] = await urnsOf(sources);
      for (const source of sources) everything.add(source);
    }
    resources.push({
      type: entry.type,
      name: entry.name,
      urn: await outputValue(entry.resource.urn),
      parentUrn: entry.parent ? await outputValue(entry.parent.urn) : undefined,
      custom: match.custom,
      protect: entry.protect,
      retainOnDelete: entry.retainOnDelete,
      inputs: match.inputs,
      dependencies: await urnsOf(everything),
      propertyDependencies,
    });
  }

  const resolvedOutputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    resolvedOutputs[key] = pulumi.Output.isInstance(value) ? await outputValue(value) : value;
  }

  return {
    resources,
    outputs: resolvedOutputs,
    ofType: (type) => resources.filter((r) => r.type === type),
    get(type, name) {
      const found = resources.find((r) => r.type === type && r.name === name);
      if (!found) throw new Error(`no ${type} named "${name}" among ${resources.length} resources`);
      return found;
    },
  };
}
