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

const list = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

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
