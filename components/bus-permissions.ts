/**
 * A bus accepts `PutEvents` only from its own account until a permission admits another ("The
 * default event bus in your AWS account only allows events from one account", EventBridge user
 * guide, event bus permissions). The rule matching the publisher accounts' events is not enough:
 * without a permission per account their events never reach it.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

/** EventBridge's limit on a statement id (`[a-zA-Z0-9-_]{1,64}`). */
const STATEMENT_ID_LENGTH = 64;

/**
 * A statement id unique to this project, stack, component and account: two stacks (dev and prod)
 * may admit the same account on one shared bus, and destroying one must not remove the other's.
 */
export function publisherStatementId(scope: string, account: string): string {
  const readable = `${scope}-${account}`.replace(/[^A-Za-z0-9_-]/gu, "-");
  if (readable.length <= STATEMENT_ID_LENGTH) return readable;
  const digest = createHash("sha256").update(readable).digest("hex").slice(0, 12);
  return `${readable.slice(0, STATEMENT_ID_LENGTH - digest.length - 1 - account.length - 1)}-${digest}-${account}`;
}

/** One `EventPermission` per publisher account on `eventBusName`, each with a stack-unique statement. */
export function admitPublishers(
  name: string,
  eventBusName: string,
  accounts: readonly string[],
  opts: pulumi.CustomResourceOptions,
): cloudwatch.EventPermission[] {
  const scope = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
  return accounts.map(
    (account) =>
      new cloudwatch.EventPermission(
        `${name}-publisher-${account}`,
        { eventBusName, principal: account, action: "events:PutEvents", statementId: publisherStatementId(scope, account) },
        opts,
      ),
  );
}
