/**
 * What the suite's runner (`npm test`) hands the test files through the environment: the one
 * DynamoDB Local and the one `npm start` it runs for the whole suite, and the directory where
 * handler bundles are kept for the run. Unset when a file runs alone: the file starts its own.
 */

/** `http://127.0.0.1:<port>` of the run's DynamoDB Local. */
export const SHARED_DYNAMODB_ENDPOINT = "TEST_DYNAMODB_ENDPOINT";

/** `http://127.0.0.1:<port>` of the run's `npm start`: the API and EventBridge PutEvents. */
export const SHARED_NPM_START_ENDPOINT = "TEST_NPM_START_ENDPOINT";
