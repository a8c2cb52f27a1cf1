// The local handlers of tests/sfn/runner.mjs's Task states: a Batch or ECS task runs its
// container overrides' command as a local process (or forked from tests/sfn/forkserver.py),
// an aws-sdk:s3:getObject task reads the object. A non-zero exit fails the state with
// States.TaskFailed, its cause the job description AWS would give.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { TaskError } from "./s3.mjs";

export function localTasks(job, s3) {
  const { getObject } = s3;
  const tasks = [];
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
  const close = () => forkServer?.close();
  return { tasks, overrideTasks, close };
}
