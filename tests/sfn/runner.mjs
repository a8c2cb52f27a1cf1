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
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

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

const MAX_TIMER_SECONDS = 2147483;
const tasks = [];
const events = [];

// ---- S3 on the endpoint --------------------------------------------------------------------
const { S3Client, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } = await import(
  pathToFileURL(join(job.modules, "@aws-sdk/client-s3/dist-cjs/index.js")).href);
const s3 = new S3Client({ endpoint: job.s3Endpoint, region: "us-east-1", forcePathStyle: true,
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });

class TaskError extends Error {
  constructor(name, cause) {
    super(typeof cause === "string" ? cause : JSON.stringify(cause));
    this.name = name;
  }
}

// An SDK error as the aws-sdk integration names it: `S3.NoSuchKeyException`, ...
function s3Error(error, what) {
  const name = error.name?.endsWith("Exception") ? error.name : `${error.name ?? "S3"}Exception`;
  return new TaskError(`S3.${name}`, `${error.message} (Service: S3, Status Code: ${error.$metadata?.httpStatusCode}) ${what}`);
}

async function getObject(bucket, key) {
  let response;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    throw s3Error(error, `${bucket}/${key}`);
  }
  const body = await response.Body.transformToString("utf-8");
  return { Body: body, ContentLength: response.ContentLength, ContentType: response.ContentType,
    ETag: response.ETag };
}

async function putObject(bucket, key, body) {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  } catch (error) {
    throw s3Error(error, `${bucket}/${key}`);
  }
}

async function listObjects(bucket, prefix) {
  const items = [];
  let ContinuationToken;
  do {
    let page;
    try {
      page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
    } catch (error) {
      throw s3Error(error, `${bucket}/${prefix ?? ""}`);
    }
    for (const object of page.Contents ?? []) {
      items.push({ Etag: object.ETag, Key: object.Key, LastModified: object.LastModified?.toISOString(),
        Size: object.Size, StorageClass: object.StorageClass });
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return items;
}

// ---- local processes -------------------------------------------------------------------
let running = 0;
const waiting = [];
async function slot() {
  if (running < job.maxProcesses) { running++; return; }
  await new Promise((resolve) => waiting.push(resolve));
}
function release() {
  const next = waiting.shift();
  if (next) next(); else running--;
}

// With job.forkServer (tests/sfn/forkserver.py), a `python -P -m flowc.runtime_shim ...` command
// is forked from one warm interpreter, with the same argv, environment and working directory.
let forkServer = null;
function forkServerFor() {
  if (forkServer) return forkServer;
  const server = spawn(job.python, ["-P", job.forkServer], { env: job.env, cwd: job.workdir, stdio: ["pipe", "pipe", "inherit"] });
  const waiting = new Map();
  createInterface({ input: server.stdout }).on("line", (line) => {
    const [token, code] = line.split(" ");
    waiting.get(token)?.(Number(code));
    waiting.delete(token);
  });
  let next = 0;
  forkServer = {
    run(argv, env) {
      const token = String(next++);
      const stdout = join(job.workdir, `fork-${token}.out`);
      const stderr = join(job.workdir, `fork-${token}.err`);
      return new Promise((resolve) => {
        waiting.set(token, (code) => resolve({ code, stdout, stderr }));
        server.stdin.write(JSON.stringify({ token, argv, env, cwd: job.workdir, stdout, stderr }) + "\n");
      });
    },
    close() { server.stdin.end(); },
  };
  return forkServer;
}

const SHIM_PREFIX = ["-P", "-m", "flowc.runtime_shim"];
async function runForked(command, env) {
  const started = Date.now();
  const { code, stdout, stderr } = await forkServerFor().run(command.slice(1 + SHIM_PREFIX.length), env);
  const text = (path) => { try { return readFileSync(path, "utf8"); } catch { return ""; } };
  const exitCode = code < 0 ? 128 - code : code;
  return { exitCode, stdout: text(stdout), stderr: text(stderr).slice(-4000), ms: Date.now() - started };
}

function runProcess(stateName, command, environment) {
  if (!Array.isArray(command) || command.length === 0 || !command.every((a) => typeof a === "string")) {
    throw new TaskError("States.TaskFailed", `state '${stateName}': the container overrides carry no Command (a list of strings)`);
  }
  const env = { ...job.env };
  for (const { Name, Value } of environment ?? []) env[Name] = Value;
  const argv0 = command[0] === "python" && job.python ? job.python : command[0];
  if (job.forkServer && argv0 === job.python && SHIM_PREFIX.every((arg, i) => command[i + 1] === arg)) {
    return runForked(command, env);
  }
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(argv0, command.slice(1), { env, cwd: job.workdir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => { stdout += chunk; });
    child.stderr.on("data", (chunk) => { stderr = (stderr + chunk).slice(-4000); });
    child.on("error", (error) => resolve({ exitCode: 127, stdout, stderr: String(error), ms: Date.now() - started }));
    child.on("close", (code, signal) => resolve({ exitCode: code ?? 128, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

async function containerTask(stateName, kind, command, environment, describe) {
  await slot();
  let done;
  try { done = await runProcess(stateName, command, environment); } finally { release(); }
  tasks.push({ state: stateName, kind, command, exitCode: done.exitCode, ms: done.ms,
    stdout: done.stdout.slice(-2000), stderr: done.stderr });
  const result = describe(done.exitCode);
  if (done.exitCode !== 0) throw new TaskError("States.TaskFailed", result);
  return result;
}

function batchHandler(stateName) {
  return async (input) => {
    const overrides = input.ContainerOverrides ?? {};
    const jobId = randomUUID();
    return containerTask(stateName, "batch", overrides.Command, overrides.Environment, (exitCode) => ({
      JobId: jobId, JobName: input.JobName, JobQueue: input.JobQueue, JobDefinition: input.JobDefinition,
      Status: exitCode === 0 ? "SUCCEEDED" : "FAILED",
      StatusReason: exitCode === 0 ? "Essential container in task exited" : `Essential container in task exited with ${exitCode}`,
      Container: { Command: overrides.Command, Environment: overrides.Environment ?? [], ExitCode: exitCode },
      Attempts: [{ Container: { ExitCode: exitCode } }],
    }));
  };
}

function ecsHandler(stateName) {
  return async (input) => {
    const overrides = input.Overrides?.ContainerOverrides ?? [];
    if (overrides.length !== 1) {
      throw new TaskError("States.TaskFailed", `state '${stateName}': expected one ContainerOverrides entry, got ${overrides.length}`);
    }
    const [container] = overrides;
    return containerTask(stateName, "ecs", container.Command, container.Environment, (exitCode) => ({
      Tasks: [{ LastStatus: "STOPPED", StopCode: "EssentialContainerExited", TaskDefinitionArn: input.TaskDefinition,
        Containers: [{ Name: container.Name, ExitCode: exitCode, LastStatus: "STOPPED" }] }],
      Failures: [],
    }));
  };
}

function getObjectHandler(stateName) {
  return async (input) => {
    if (typeof input.Bucket !== "string" || typeof input.Key !== "string") {
      throw new TaskError("States.Runtime", `state '${stateName}': getObject needs a string Bucket and Key`);
    }
    return getObject(input.Bucket, input.Key);
  };
}

const HANDLERS = [
  [/^arn:aws:states:::batch:submitJob(\.sync)?$/, batchHandler],
  [/^arn:aws:states:::ecs:runTask(\.sync)?$/, ecsHandler],
  [/^arn:aws:states:::aws-sdk:s3:getObject$/, getObjectHandler],
];

function overrideTasks(definition, handlers, unsupported) {
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    if (state.Type === "Task") {
      const found = HANDLERS.find(([pattern]) => pattern.test(state.Resource));
      if (found) handlers[name] = found[1](name);
      else unsupported.push(`${name}: ${state.Resource}`);
    }
    for (const branch of state.Branches ?? []) overrideTasks(branch, handlers, unsupported);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) overrideTasks(processor, handlers, unsupported);
    for (const field of ["ItemBatcher", "ToleratedFailurePercentage", "ToleratedFailureCount"]) {
      if (field in state) unsupported.push(`${name}: Map field ${field}`);
    }
  }
  return handlers;
}

// ---- executor fixes (see the header) ----------------------------------------------------
function unescapeLiteral(text) {
  return text.replace(/\\(.)/gs, "$1");
}
function parseIntrinsicArgument(arg, input, context) {
  if (arg[0] === "'") return { literal: arg.slice(1, arg.lastIndexOf("'")) };
  if (arg[0] === "$") return { value: jsonPathQuery(arg, input, context) };
  return { value: JSON.parse(arg) };
}
BaseIntrinsicFunction.prototype.call = function (input, context, ...args) {
  const parsed = args.map((arg) => parseIntrinsicArgument(arg, input, context));
  const values = parsed.map((arg) => ("literal" in arg ? unescapeLiteral(arg.literal) : arg.value));
  validateArguments(this.funcDefinition, ...values);
  if (this.funcDefinition.name !== "States.Format") return this.execute(...values);
  const [template, ...fill] = parsed;
  const pieces = "literal" in template ? template.literal.split(/(?<!\\)\{\}/) : [template.value];
  if (pieces.length - 1 !== fill.length) {
    return this.execute(...values); // the executor's own error for a count mismatch
  }
  const text = (arg) => {
    const value = "literal" in arg ? unescapeLiteral(arg.literal) : arg.value;
    return typeof value === "string" ? value : JSON.stringify(value);
  };
  return pieces.map((piece, i) => unescapeLiteral(piece) + (i < fill.length ? text(fill[i]) : "")).join("");
};

const executeState = StateExecutor.prototype.execute;
StateExecutor.prototype.execute = function (input, context, options) {
  const definition = this.stateDefinition;
  if (definition.Type === "Task" && definition.TimeoutSeconds === undefined && definition.TimeoutSecondsPath === undefined) {
    this.stateDefinition = { ...definition, TimeoutSeconds: MAX_TIMER_SECONDS };
  }
  this.flowcEntered ??= new Date().toISOString();
  context.State = { Name: this.stateName, EnteredTime: this.flowcEntered,
    RetryCount: this.retrierAttempts.reduce((sum, count) => sum + count, 0) };
  const execution = options.runOptions?.context?.Execution ?? {};
  if ("FlowcInput" in execution) context.Execution.Input = execution.FlowcInput;
  return executeState.call(this, input, context, options);
};

const processItem = MapStateAction.prototype.processItem;
MapStateAction.prototype.processItem = function (stateMachine, item, input, context, index, options) {
  const processor = this.stateDefinition.ItemProcessor;
  if (processor?.ProcessorConfig?.Mode !== "DISTRIBUTED") {
    return processItem.call(this, stateMachine, item, input, context, index, options);
  }
  const { FlowcInput, ...execution } = options.runOptions?.context?.Execution ?? {};
  const child = { ...options.runOptions, context: { ...options.runOptions?.context,
    Execution: { ...execution, Name: randomUUID(), Id: undefined } } };
  return processItem.call(this, stateMachine, item, input, context, index, { ...options, runOptions: child });
};

const executeMap = MapStateAction.prototype.execute;
MapStateAction.prototype.execute = async function (input, context, options) {
  const state = this.stateDefinition;
  if (!state.ItemReader && !state.ResultWriter) return executeMap.call(this, input, context, options);
  const { ItemReader, ResultWriter, ...rest } = state;
  if (ItemReader) {
    context.FlowcItems = await readItems(ItemReader, input, context);
    rest.ItemsPath = "$$.FlowcItems";
  }
  this.stateDefinition = rest;
  let result;
  try {
    result = await executeMap.call(this, input, context, options);
  } finally {
    delete context.FlowcItems;
    this.stateDefinition = state;
  }
  if (ResultWriter) result = { ...result, stateResult: await writeResults(ResultWriter, this.stateName, result.stateResult, input, context) };
  return result;
};

// An ItemReader's or ResultWriter's Parameters, evaluated as the executor evaluates a state's.
function parameterResolver(parameters, input, context) {
  const evaluated = processPayloadTemplate(parameters, input, context);
  return (field) => evaluated[field];
}

async function readItems(reader, input, context) {
  const resolve = parameterResolver(reader.Parameters ?? {}, input, context);
  let items;
  if (reader.Resource === "arn:aws:states:::s3:getObject") {
    const { Body } = await getObject(resolve("Bucket"), resolve("Key"));
    const type = reader.ReaderConfig?.InputType;
    if (type === "JSON") items = JSON.parse(Body);
    else if (type === "JSONL") items = Body.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
    else throw new TaskError("States.Runtime", `ItemReader InputType ${type} is not supported by the harness`);
  } else if (reader.Resource === "arn:aws:states:::s3:listObjectsV2") {
    items = await listObjects(resolve("Bucket"), resolve("Prefix"));
  } else {
    throw new TaskError("States.Runtime", `ItemReader resource ${reader.Resource} is not supported by the harness`);
  }
  if (!Array.isArray(items)) throw new TaskError("States.ItemReaderFailed", "the ItemReader's object is not a JSON array");
  const max = reader.ReaderConfig?.MaxItems;
  return Number.isInteger(max) && max > 0 ? items.slice(0, max) : items;
}

// AWS's ResultWriter: the child executions' results go to `<Prefix>/<map run id>/SUCCEEDED_0.json`
// with a `manifest.json` beside them; the Map's result is where the manifest is.
async function writeResults(writer, stateName, results, input, context) {
  if (writer.Resource !== "arn:aws:states:::s3:putObject") {
    throw new TaskError("States.Runtime", `ResultWriter resource ${writer.Resource} is not supported by the harness`);
  }
  const resolve = parameterResolver(writer.Parameters ?? {}, input, context);
  const bucket = resolve("Bucket");
  let prefix = resolve("Prefix") ?? "";
  if (prefix && !prefix.endsWith("/")) prefix += "/";
  const runId = randomUUID();
  const mapRunArn = `arn:aws:states:us-east-1:123456789012:mapRun:${job.stateMachineName}/${stateName}:${runId}`;
  const succeeded = results.map((output, index) => ({
    ExecutionArn: `${mapRunArn}:${index}`, Name: String(index), Status: "SUCCEEDED",
    Output: JSON.stringify(output), OutputDetails: { Included: true },
  }));
  const body = JSON.stringify(succeeded);
  const resultsKey = `${prefix}${runId}/SUCCEEDED_0.json`;
  await putObject(bucket, resultsKey, body);
  const manifest = { DestinationBucket: bucket, MapRunArn: mapRunArn,
    ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: resultsKey, Size: Buffer.byteLength(body) }] } };
  const key = `${prefix}${runId}/manifest.json`;
  await putObject(bucket, key, JSON.stringify(manifest, null, 2));
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: key } };
}

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
forkServer?.close();
process.stdout.write(JSON.stringify({ ...outcome, tasks, events }) + "\n");
