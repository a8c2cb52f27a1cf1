"""The local runner: `flowc run` executes a checked flow's tasks as shim processes here.

`LocalTarget.run` is the entry point; `scheduler` walks the flow at task granularity,
`launch`/`forkserver` start the processes, `runs` names and lists runs, `resume` reuses the
tasks of an earlier run, `progress` turns events into lines. See docs/local-runner.md.
"""

from flowc.targets.local.plan import Event, Outputs, RunResult, TaskFailure, TaskKey

__all__ = ["Event", "Outputs", "RunResult", "TaskFailure", "TaskKey"]
