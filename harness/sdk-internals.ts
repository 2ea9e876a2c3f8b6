/**
 * Every Pulumi SDK internal the program harness and the policy runner depend on, in one place.
 * Reproducing what the engine and the policy server do needs a few things the SDKs use among
 * themselves but do not document: an upgrade may move or change any of them without notice, and
 * a runner that silently lost one would pass policies it should fail. `test/sdk-internals.test.ts`
 * checks each of them against the installed SDKs and names the one that broke.
 *
 * Nothing else reaches into the SDKs: no other module reads an undocumented property, imports a
 * deep SDK path or casts an SDK value.
 */
import { unknownCheckingProxy, UnknownValueError, type EnforcementLevel, type Policies, type PolicyPackConfig } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";

// --- @pulumi/pulumi ---------------------------------------------------------------------------

/**
 * The engine's wire marker for a value not known during preview: how the CLI hands an unknown to
 * a policy (the policy SDK's proxy throws `UnknownValueError` on reading it).
 */
export const UNKNOWN: string = pulumi.runtime.unknownValue;

/**
 * The resources an Output's value came from, through every `apply` and `all` on the way: what the
 * SDK itself sends the engine as the input's dependencies (`getAllResources` is marked internal).
 * Throws rather than answer "none" if the SDK stops tracking them, since empty dependencies would
 * quietly make every "which queue is whose DLQ" policy decide from ARNs alone.
 */
export function resourcesBehind(output: pulumi.Output<unknown>): Promise<Set<pulumi.Resource>> {
  if (typeof Reflect.get(output, "allResources") !== "function") {
    throw new Error("@pulumi/pulumi internal changed: Output#allResources is gone, so input dependencies cannot be traced");
  }
  return pulumi.getAllResources(output);
}

/**
 * Whether a resource was constructed `protect`ed (`__protect`, which the SDK copies to children
 * that set no `protect` of their own, after stack transformations have run).
 */
export function constructedProtected(resource: pulumi.Resource): boolean {
  return Reflect.get(resource, "__protect") === true;
}

// --- @pulumi/policy ---------------------------------------------------------------------------

/**
 * Props as the policy server presents them: reading a value that is `UNKNOWN` throws
 * `UnknownValueError`. Both are exported by `@pulumi/policy` but documented as internal.
 */
export { unknownCheckingProxy, UnknownValueError };

/** A resource class's type token (`__pulumiType`, a static every generated resource class carries). */
export function typeTokenOf(resourceClass: object): string | undefined {
  const token: unknown = Reflect.get(resourceClass, "__pulumiType");
  return typeof token === "string" && token.length > 0 ? token : undefined;
}

/**
 * `args.isType(resourceClass)` as the policy server answers it: by the class's type token, or
 * else by asking the class's `isInstance` about an object carrying the type.
 */
export function isTypeOf(type: string, resourceClass: object): boolean {
  const token = typeTokenOf(resourceClass);
  if (token !== undefined) return token === type;
  const isInstance: unknown = Reflect.get(resourceClass, "isInstance");
  return typeof isInstance === "function" && Reflect.apply(isInstance, resourceClass, [{ __pulumiType: type }]) === true;
}

type Policy = Policies[number];

/**
 * The level a policy runs at: the stack's pack config for it (or the config's `all`, which the CLI
 * applies to every policy), else the policy's own, else the pack's.
 */
export function enforcementLevelOf(policy: Policy, config: PolicyPackConfig, packLevel: EnforcementLevel): EnforcementLevel {
  const configured = config[policy.name] ?? config.all;
  const fromConfig = typeof configured === "string" ? configured : configured?.enforcementLevel;
  return fromConfig ?? policy.enforcementLevel ?? packLevel;
}

/** The level a violation is reported at: the server reports a `remediate` policy's as mandatory. */
export const reportedLevel = (level: EnforcementLevel): EnforcementLevel => (level === "remediate" ? "mandatory" : level);

/** The advisory message the server reports when a policy read a value unknown during preview. */
export const cantRunDuringPreview = (policyName: string, error: UnknownValueError): string =>
  `can't run policy '${policyName}' during preview: ${error.message}`;
