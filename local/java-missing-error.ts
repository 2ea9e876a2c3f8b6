/**
 * Thrown when no usable `java` is on the PATH for DynamoDB Local. A file of its own so that
 * `npm start`'s failure messages can name it without loading the DynamoDB SDK.
 */
export class JavaMissingError extends Error {
  override name = "JavaMissingError";
}
