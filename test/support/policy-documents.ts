/**
 * IAM and resource policy documents as the tests read them: JSON text or objects, with
 * `Action` and `Resource` always arrays.
 */
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

export function statementsOf(policy: unknown): Statement[] {
  const document = (typeof policy === "string" ? JSON.parse(policy) : policy) as { Statement?: unknown };
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements.map((raw) => {
    const statement = raw as Record<string, unknown>;
    return {
      ...(typeof statement.Sid === "string" ? { Sid: statement.Sid } : {}),
      Effect: statement.Effect === "Deny" ? "Deny" : "Allow",
      ...(statement.Principal === undefined ? {} : { Principal: statement.Principal }),
      Action: list(statement.Action),
      Resource: list(statement.Resource),
      ...(statement.Condition === undefined ? {} : { Condition: statement.Condition as Statement["Condition"] }),
    };
  });
}

/** Every action the Allow statements grant. */
export const allowedActions = (statements: Statement[]): string[] =>
  statements.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action);

/** A DynamoDB request as the IAM tests see it: its action and the partition key it touches. */
export interface PartitionRequest {
  action: string;
  partition: string | undefined;
}

/**
 * Whether a statement's `dynamodb:LeadingKeys` condition admits `partition` (`USER#*` admits
 * every partition starting `USER#`); a statement without one admits every partition.
 */
export function leadingKeysAdmit(statement: Statement, partition: string | undefined): boolean {
  const patterns = statement.Condition?.["ForAllValues:StringLike"]?.["dynamodb:LeadingKeys"];
  if (patterns === undefined) return true;
  return (
    partition !== undefined &&
    (patterns as string[]).some((pattern) => (pattern.endsWith("*") ? partition.startsWith(pattern.slice(0, -1)) : partition === pattern))
  );
}

/** Whether some Allow statement grants the action on that partition. */
export const granted = (statements: Statement[], { action, partition }: PartitionRequest): boolean =>
  statements.some(
    (statement) => statement.Effect === "Allow" && statement.Action.includes(action) && leadingKeysAdmit(statement, partition),
  );
