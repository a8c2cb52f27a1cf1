// Where aws-local-stepfunctions 3.0.0 differs from AWS, tests/sfn/runner.mjs wraps its
// internals (see the list in runner.mjs's header): the Context Object's `State`, execution
// input and names in Maps, the Task timeout, intrinsics' backslashes, ItemReader and
// ResultWriter.
import { randomUUID } from "node:crypto";
import { TaskError } from "./s3.mjs";

// AWS's default Task timeout is 99,999,999 s; a Node timer holds at most 2^31-1 ms.
const MAX_TIMER_SECONDS = 2147483;

export function fixExecutor(internals, job, s3) {
  const { StateExecutor, MapStateAction, BaseIntrinsicFunction, validateArguments,
    jsonPathQuery, processPayloadTemplate } = internals;
  const { getObject, putObject, listObjects } = s3;
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
}
