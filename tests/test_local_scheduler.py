"""The scheduler with a fake launcher (no processes): worker limit, retry delays that do not
hold a worker, timeouts that kill, failure stopping new launches, and reuse on resume."""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Sequence
from pathlib import Path

from flowc.targets.local.launch import Exited
from flowc.targets.local.plan import Event, Outputs, TaskKey
from flowc.targets.local.scheduler import RunOptions, Scheduler

from flowc import compiler

ROOT = Path(__file__).resolve().parent.parent
FLOWS = Path(__file__).resolve().parent / "runner_flows"


class FakeLauncher:
    """Finishes tasks at once (or never, for `hang`), failing the attempts listed in `fail`."""

    def __init__(self, cardinality: int = 0, fail: frozenset[tuple[str, int]] = frozenset(),
                 hang: frozenset[str] = frozenset()) -> None:
        self.events: queue.Queue[Exited] = queue.Queue()
        self.cardinality = cardinality
        self.fail = fail
        self.hang = hang
        self.launched: list[tuple[str, float]] = []
        self.killed: list[int] = []
        self.running: set[int] = set()
        self.peak = 0

    def launch(self, token: int, argv: Sequence[str], stdout: Path, stderr: Path) -> None:
        args = list(argv)
        step = args[args.index("step") + 1]
        attempt = int(args[args.index("--retry-count") + 1]) if "--retry-count" in args else 0
        self.launched.append((step, time.monotonic()))
        self.running.add(token)
        self.peak = max(self.peak, len(self.running))
        if step in self.hang:
            return
        failed = (step, attempt) in self.fail
        cardinality = self.cardinality if step == "start" else 0
        stdout.write_text(json.dumps({"task_id": "t", "foreach_cardinality": cardinality,
                                      "foreach_indices": list(range(cardinality)),
                                      "switch_choice": ""}) + "\n")
        stderr.write_text("boom: on purpose\n" if failed else "")
        self.running.discard(token)
        self.events.put(Exited(token, 1 if failed else 0))

    def kill(self, token: int) -> None:
        self.killed.append(token)
        self.running.discard(token)
        self.events.put(Exited(token, -9))

    def close(self) -> None:
        pass


def scheduler(path: Path, launcher: FakeLauncher, workers: int = 1,
              reuse: object = None) -> tuple[Scheduler, list[Event]]:
    checked = compiler.check_file(path).checked
    assert checked is not None
    events: list[Event] = []
    options = RunOptions(run_id="r", datastore="/nonexistent", code_package="0" * 64,
                         max_workers=workers)
    return Scheduler(checked, options, events.append, reuse, launcher), events  # type: ignore[arg-type]


def test_worker_limit_and_foreach_fan_out() -> None:
    launcher = FakeLauncher(cardinality=6)
    sched, events = scheduler(ROOT / "examples/foreach.py", launcher, workers=2)
    result = sched.run()
    assert result.ok and result.tasks_done == 1 + 6 + 1 + 1
    assert [step for step, _ in launcher.launched].count("measure") == 6
    assert launcher.peak <= 2
    assert sum(1 for e in events if e.kind == "queued" and e.key.step == "measure") == 6


def test_retry_delay_does_not_hold_the_worker() -> None:
    launcher = FakeLauncher(fail=frozenset({("left", 0)}))
    sched, events = scheduler(FLOWS / "retry_delay.py", launcher, workers=1)
    result = sched.run()
    assert result.ok
    order = [step for step, _ in launcher.launched]
    assert order == ["start", "left", "right", "left", "join", "end"]
    times = dict((f"{s}{i}", t) for i, (s, t) in enumerate(launcher.launched))
    assert times["left3"] - times["left1"] >= 0.95  # 0.01 minutes, up to a whole second
    retry = next(e for e in events if e.kind == "retrying")
    assert retry.message == "boom: on purpose" and retry.delay == 1.0


def test_timeout_kills_and_counts_as_failure() -> None:
    launcher = FakeLauncher(hang=frozenset({"nap"}))
    sched, events = scheduler(FLOWS / "sleepy.py", launcher)
    began = time.monotonic()
    result = sched.run()
    assert not result.ok and launcher.killed
    assert time.monotonic() - began >= 0.9  # the 1 s @timeout, not earlier
    assert "timed out after 1s" in result.failures[0].message
    assert [e.key.step for e in events if e.kind == "failed"] == ["nap"]


def test_failure_stops_new_launches() -> None:
    launcher = FakeLauncher(cardinality=4, fail=frozenset({("measure", 0)}))
    sched, _ = scheduler(ROOT / "examples/foreach.py", launcher, workers=1)
    result = sched.run()
    assert not result.ok
    assert [step for step, _ in launcher.launched] == ["start", "measure"]


def test_reuse_skips_processes() -> None:
    launcher = FakeLauncher(cardinality=3)
    reused: list[TaskKey] = []

    def reuse(key: TaskKey) -> Outputs | None:
        if key.step == "start" or key.index_path == (1,):
            reused.append(key)
            return Outputs(foreach_cardinality=3 if key.step == "start" else 0)
        return None

    sched, events = scheduler(ROOT / "examples/foreach.py", launcher, reuse=reuse)
    result = sched.run()
    assert result.ok and result.tasks_reused == 2
    assert [step for step, _ in launcher.launched] == ["measure", "measure", "join", "end"]
    assert [str(e.key) for e in events if e.kind == "reused"] == ["start", "measure[1]"]
