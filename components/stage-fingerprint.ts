/**
 * What a REST API stage serves is a deployment: a snapshot of the API's methods, integrations,
 * authorizers, models, validators and gateway responses taken when the deployment was made; the
 * API's resource policy, too, takes effect only with a deployment.
 * A change to any of them reaches the stage only through a new deployment, so the
 * deployment's trigger must change with every one of them, and with nothing else.
 *
 * The fingerprint is taken from the inputs each of those resources is actually registered
 * with: it is installed as a transformation of the API component, so it sees every child's
 * final inputs, including changes made by the caller's own `transformations`.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** The resource types whose inputs shape what a stage serves. */
export const STAGE_SHAPING_TYPES: ReadonlySet<string> = new Set([
  "aws:apigateway/resource:Resource",
  "aws:apigateway/method:Method",
  "aws:apigateway/integration:Integration",
  "aws:apigateway/methodResponse:MethodResponse",
  "aws:apigateway/integrationResponse:IntegrationResponse",
  "aws:apigateway/authorizer:Authorizer",
  "aws:apigateway/model:Model",
  "aws:apigateway/requestValidator:RequestValidator",
  "aws:apigateway/response:Response",
  "aws:apigateway/restApiPolicy:RestApiPolicy",
]);

export class StageFingerprint {
  private readonly shaping: Array<{ type: string; name: string; props: pulumi.Inputs }> = [];

  /** Add to the API component's `transformations`; records and never changes anything. */
  readonly transformation: pulumi.ResourceTransformation = (args) => {
    if (STAGE_SHAPING_TYPES.has(args.type)) this.shaping.push({ type: args.type, name: args.name, props: args.props });
    return undefined;
  };

  /** SHA-256 of every recorded resource's inputs, in registration order; call once they all exist. */
  value(): pulumi.Output<string> {
    return pulumi.output([...this.shaping]).apply((entries) => createHash("sha256").update(JSON.stringify(entries)).digest("hex"));
  }
}
