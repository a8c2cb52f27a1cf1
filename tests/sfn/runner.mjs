// Runs one Step Functions execution with aws-local-stepfunctions 3 (Node >= 22), every Task
// state overridden by a local handler. Started by tests/sfn/harness.py; reads a job (JSON) from
// the file named by argv[2] and prints one JSON line, the execution's result, on stdout.
//
// Task resources (anything else is refused before the execution starts):
//   batch:submitJob[.sync]   the ContainerOverrides' Command runs as a local process with the
//                            job's Environment (argv[0] "python" is the harness's interpreter);
//   ecs:runTask[.sync]       the same, from Overrides.ContainerOverrides[0];
//   aws-sdk:s3:getObject     reads the object from the S3 endpoint (moto on 127.0.0.1).
// A process that exits non-zero fails the state with States.TaskFailed (cause: the job), so
// Retry and Catch see what AWS would report.
//
// Where aws-local-stepfunctions 3.0.0 differs from AWS, four methods are wrapped (the module is
// loaded through a hook that also exports two internal classes):
//   * the Context Object has no `State`: `$$.State.{Name,EnteredTime,RetryCount}` are set;
//   * Map iterations and Parallel branches see their own input as `$$.Execution.Input`: it is
//     the execution's input again, except in a DISTRIBUTED Map's child executions, which (as in
//     AWS) are executions of their own: their input is the item and their name is new;
//   * a Task without TimeoutSeconds times out after 60 s: AWS's default is 99,999,999 s (here
//     2,147,483 s, the most a Node timer holds);
//   * `ItemReader` is ignored: an S3 getObject (JSON, JSONL) or listObjectsV2 reader is read
//     from the endpoint and the Map iterates over those items; `ResultWriter` is ignored: an
//     S3 putObject writer stores the results and a manifest, and the Map's result names it;
//   * an intrinsic function's string result loses every backslash (even those of a value read
//     from a path, `States.Format('{}', $.x)`): only the escapes of a literal argument
//     (\' \{ \} \\) are undone, and in States.Format an escaped \{\} is no placeholder.

import { registerHooks } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fixExecutor } from "./fixes.mjs";
import { openS3 } from "./s3.mjs";
import { localTasks } from "./tasks.mjs";

const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
const ENTRY = "/aws-local-stepfunctions/build/main.node.esm.js";
registerHooks({
  load(url, context, nextLoad) {
    const loaded = nextLoad(url, context);
    if (!url.endsWith(ENTRY)) return loaded;
    const source = String(loaded.source) +
      "\nexport { StateExecutor as __StateExecutor, MapStateAction as __MapStateAction, " +
      "BaseIntrinsicFunction as __BaseIntrinsicFunction, validateArguments as __validateArguments, " +
      "jsonPathQuery as __jsonPathQuery, processPayloadTemplate as __processPayloadTemplate };\n";
    return { ...loaded, source };
  },
});
const module_ = await import(pathToFileURL(join(job.modules, "aws-local-stepfunctions/build/main.node.esm.js")).href);
const { StateMachine, __StateExecutor: StateExecutor, __MapStateAction: MapStateAction,
  __BaseIntrinsicFunction: BaseIntrinsicFunction, __validateArguments: validateArguments,
  __jsonPathQuery: jsonPathQuery, __processPayloadTemplate: processPayloadTemplate } = module_;

const s3 = await openS3(job.s3Endpoint, job.modules);
const { tasks, overrideTasks, close } = localTasks(job, s3);
fixExecutor({ StateExecutor, MapStateAction, BaseIntrinsicFunction, validateArguments, jsonPathQuery,
  processPayloadTemplate }, job, s3);
const events = [];

// ---- the execution ----------------------------------------------------------------------
const unsupported = [];
const handlers = overrideTasks(job.definition, {}, unsupported);
if (unsupported.length) {
  process.stdout.write(JSON.stringify({ status: "UNSUPPORTED", error: "Harness.Unsupported", cause: unsupported.join("; "), tasks, events }) + "\n");
  process.exit(0);
}
const retryIntervalOverrides = {};
if (job.retryIntervalMs !== null) {
  const visit = (definition) => {
    for (const [name, state] of Object.entries(definition.States ?? {})) {
      if (state.Retry) retryIntervalOverrides[name] = job.retryIntervalMs;
      for (const branch of state.Branches ?? []) visit(branch);
      if (state.ItemProcessor ?? state.Iterator) visit(state.ItemProcessor ?? state.Iterator);
    }
  };
  visit(job.definition);
}

let machine;
try {
  machine = new StateMachine(job.definition, {});
} catch (error) {
  process.stdout.write(JSON.stringify({ status: "INVALID", error: "Harness.InvalidDefinition", cause: error.message, tasks, events }) + "\n");
  process.exit(0);
}
const execution = machine.run(job.input, {
  overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
  context: { Execution: { Name: job.executionName, Id: `arn:aws:states:us-east-1:123456789012:execution:${job.stateMachineName}:${job.executionName}`,
    FlowcInput: job.input, RoleArn: "arn:aws:iam::123456789012:role/harness" },
  StateMachine: { Id: `arn:aws:states:us-east-1:123456789012:stateMachine:${job.stateMachineName}`, Name: job.stateMachineName } },
});
const KEPT = new Set(["StateRetried", "StateCaught", "StateFailed", "ExecutionFailed", "MapIterationFailed", "ParallelBranchFailed"]);
const collecting = (async () => {
  for await (const event of execution.eventLogs) {
    if (KEPT.has(event.type)) {
      events.push({ type: event.type, state: event.state?.name, attempt: event.retry?.attempt,
        error: event.Error ?? event.error?.name, parent: event.parentState?.name, index: event.index });
    }
  }
})();
let outcome;
try {
  outcome = { status: "SUCCEEDED", output: await execution.result };
} catch (error) {
  const cause = error.cause ?? error;
  outcome = { status: "FAILED", error: cause.name, cause: cause.message };
}
await Promise.race([collecting, new Promise((resolve) => setTimeout(resolve, 100))]);
close();
process.stdout.write(JSON.stringify({ ...outcome, tasks, events }) + "\n");
