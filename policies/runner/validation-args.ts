/**
 * What the Pulumi CLI hands a policy, rebuilt from resources captured under mocks: the props
 * behind the same unknown-checking proxy (unknowns as the engine's wire sentinel, so reading
 * one throws `UnknownValueError` exactly as in a real preview), the URN, name, parent,
 * dependencies and property dependencies, `isType`/`asType`, `getConfig`, `notApplicable`.
 */
import type { PolicyResource, PolicyResourceOptions, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import type { CapturedResource } from "../../harness/mock-program";
import { isTypeOf, unknownCheckingProxy, UNKNOWN } from "../../harness/sdk-internals";

/** Thrown by `notApplicable`, as the policy server does. */
export class NotApplicableError extends Error {
  override name = "NotApplicableError";
}

/** Values as the CLI deserializes them: unknowns become the sentinel at any depth. */
function asDeserialized(value: unknown): unknown {
  if (pulumi.isUnknown(value)) return UNKNOWN;
  if (Array.isArray(value)) return value.map(asDeserialized);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asDeserialized(item)]));
  }
  return value;
}

const options = (parentUrn: string | undefined, protect: boolean): PolicyResourceOptions => ({
  protect,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
  ...(parentUrn === undefined ? {} : { parent: parentUrn }),
});

const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicableError(reason ?? "Policy does not apply");
};

/** The policy's own config from the pack config (everything but its enforcement level). */
export type PolicyConfigLookup = (policyName: string) => object;

export function resourceArgs(resource: CapturedResource, policyName: string, config: PolicyConfigLookup): ResourceValidationArgs {
  const props: Record<string, unknown> = unknownCheckingProxy(asDeserialized(resource.inputs));
  return {
    type: resource.type,
    props,
    urn: resource.urn,
    name: resource.name,
    opts: options(resource.parentUrn, resource.protect),
    stackTags: new Map(),
    isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
    // The SDK returns the props themselves, typed by the caller's class: the same untyped cast.
    asType: <TResource extends pulumi.Resource, TArgs>(resourceClass: { new (name: string, args: TArgs, ...rest: never[]): TResource }) =>
      (isTypeOf(resource.type, resourceClass) ? props : undefined) as pulumi.Unwrap<NonNullable<TArgs>> | undefined,
    getConfig: <T extends object>() => config(policyName) as T,
    notApplicable: throwNotApplicable,
  };
}

/** The stack as `validateStack` sees it: every resource, linked to its parent and dependencies. */
export function stackArgs(resources: CapturedResource[], policyName: string, config: PolicyConfigLookup): StackValidationArgs {
  const byUrn = new Map<string, PolicyResource>();
  for (const resource of resources) {
    const props: Record<string, unknown> = unknownCheckingProxy(asDeserialized(resource.inputs));
    byUrn.set(resource.urn, {
      type: resource.type,
      props,
      urn: resource.urn,
      name: resource.name,
      opts: options(resource.parentUrn, resource.protect),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
      asType: () => undefined,
    });
  }
  const linked = (urns: string[]) => urns.flatMap((urn) => byUrn.get(urn) ?? []);
  for (const resource of resources) {
    const policyResource = byUrn.get(resource.urn);
    if (!policyResource) continue;
    policyResource.parent = resource.parentUrn === undefined ? undefined : byUrn.get(resource.parentUrn);
    policyResource.dependencies = linked(resource.dependencies);
    policyResource.propertyDependencies = Object.fromEntries(
      Object.entries(resource.propertyDependencies).map(([key, urns]) => [key, linked(urns)]),
    );
  }
  return {
    resources: [...byUrn.values()],
    stackTags: new Map(),
    getConfig: <T extends object>() => config(policyName) as T,
    notApplicable: throwNotApplicable,
  };
}
