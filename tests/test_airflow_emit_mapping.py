"""How the Airflow target writes each construct, read back from the generated module with
`ast`: dependencies, mapped task groups over `foreach_items`, flattened nested foreach, switch
cases behind `chosen` and the merge's trigger rule, @retry/@timeout, typed params, the
schedule's timezone; what it refuses (FLC201 at the construct); names; settings."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from flowc.compiler import check_file
from flowc.targets.emit import compile_checked, target_settings

ROOT = Path(__file__).resolve().parent.parent
FLOWC = str(Path(sys.executable).with_name("flowc"))
SETTINGS = {"image": "i", "datastore": "s3://b/p"}


def compile_path(path: Path, **overrides: str) -> tuple[str | None, list[str]]:
    checked = check_file(path, root=path.parent).checked
    assert checked is not None
    settings = target_settings(("airflow",), path, checked,
                               overrides={**SETTINGS, **overrides}, environ={})
    output = compile_checked(checked, ("airflow",), settings)
    problems = [f"{d.span.line}:{d.code} {d.message}" for d in output.diagnostics]
    return (output.files["airflow.py"].decode() if output.ok else None), problems


def compile_source(tmp_path: Path, source: str, **overrides: str) -> tuple[str | None, list[str]]:
    path = tmp_path / "flow.py"
    path.write_text(source)
    return compile_path(path, **overrides)


def example(name: str, **overrides: str) -> ast.Module:
    text, problems = compile_path(ROOT / "examples" / f"{name}.py", **overrides)
    assert text is not None, problems
    return ast.parse(text)


def calls(tree: ast.AST, name: str) -> list[ast.Call]:
    """Calls of `name(...)` or `name.override(...)(...)`' inner override call."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            named = isinstance(func, ast.Name) and func.id == name
            method = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id == name
            if named or method:
                found.append(node)
    return found


def keywords(call: ast.Call) -> dict[str, str]:
    return {k.arg: ast.unparse(k.value) for k in call.keywords if k.arg}


def tasks(tree: ast.AST) -> dict[str, dict[str, str]]:
    """task_id -> the keyword arguments of every KubernetesPodOperator."""
    return {ast.literal_eval(keywords(c)["task_id"]): keywords(c)
            for c in calls(tree, "KubernetesPodOperator")}


def edges(tree: ast.AST) -> set[tuple[str, str]]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
            ups = node.left.elts if isinstance(node.left, ast.List) else [node.left]
            for up in ups:
                found.add((ast.unparse(up), ast.unparse(node.right)))
    return found


def test_a_linear_flow_is_a_chain_of_pods() -> None:
    tree = example("linear")
    assert list(tasks(tree)) == ["start", "deduplicate", "square", "summarize", "end"]
    assert edges(tree) == {("start", "deduplicate"), ("deduplicate", "square"),
                           ("square", "summarize"), ("summarize", "end")}
    start = tasks(tree)["start"]
    assert "'{{ run_id }}'" in start["arguments"] and "'{{ ti.try_number - 1 }}'" in \
        start["arguments"]
    assert start["do_xcom_push"] == "False" and start["cmds"] == "[PYTHON]"


def test_a_split_hangs_its_branches_off_the_split_and_joins_them() -> None:
    tree = example("branch")
    found = edges(tree)
    assert ("start", "count_words") in found and ("start", "count_letters") in found
    assert ("[count_words, count_letters]", "join") not in found  # edges are per upstream
    assert ("count_words", "join") in found and ("count_letters", "join") in found


def test_a_foreach_is_a_mapped_group_over_foreach_items() -> None:
    tree = example("foreach_multistep_body")
    items = calls(tree, "foreach_items")
    assert [keywords(c)["task_id"] for c in items] == ["'start_items'"]
    expands = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
               and isinstance(n.func, ast.Attribute) and n.func.attr == "expand"]
    assert [ast.unparse(n) for n in expands] == ["start_each.expand(index_path=start_items)"]
    body = tasks(tree)
    assert "index_path" in body["tokenize"]["arguments"]
    assert "index_path" not in body["join"]["arguments"]
    assert body["start"]["do_xcom_push"] == "True" and "XCOM" in body["start"]["arguments"]
    assert {("tokenize", "count"), ("count", "classify"), ("start_each_tasks", "join")} \
        <= edges(tree)


def test_a_nested_foreach_is_flattened_into_one_group_per_level_and_segment() -> None:
    tree = example("nested_foreach")
    groups = [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
              and any(ast.unparse(d).startswith("task_group") for d in node.decorator_list)]
    assert groups == ["start_each", "year_each", "quarter_each", "year_each_2", "start_each_2"]
    sources = {keywords(c)["task_id"]: ast.unparse(c.func) for c in calls(tree, "foreach_items")}
    assert set(sources) == {"'start_items'", "'year_items'", "'quarter_items'"}
    text = ast.unparse(tree)
    assert "foreach_items.override(task_id='year_items')(start_each_tasks.output)" in text
    assert "year_each_2.expand(index_path=year_items)" in text  # join_months per quarter's parent
    assert "start_each_2.expand(index_path=start_items)" in text


def test_a_switch_opens_each_case_with_chosen_and_the_merge_takes_either() -> None:
    tree = example("switch")
    gates = {ast.literal_eval(ast.unparse(c.args[1])) for c in
             (n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.args
              and ast.unparse(n.func).startswith("chosen.override"))}
    assert gates == {"cool_down", "relax", "warm_up"}  # the case's first step, an identifier
    assert {("start_case_relax", "relax"), ("relax", "end")} <= edges(tree)
    merges = [k for k in tasks(tree).values() if "trigger_rule" in k]
    assert [m["trigger_rule"] for m in merges] == ["'none_failed_min_one_success'"]


def test_a_switch_inside_a_foreach_keeps_its_gates_inside_the_group() -> None:
    text = ast.unparse(example("switch_in_foreach"))
    assert "classify_case_halve = chosen.override(task_id='classify_case_halve')" \
        "(classify.output, 'halve')" in text
    assert "trigger_rule='none_failed_min_one_success'" in text


def test_retry_timeout_and_resources_become_operator_arguments() -> None:
    found = tasks(example("decorators"))
    assert found["start"]["retries"] == "2"
    assert found["start"]["retry_delay"] == "timedelta(seconds=60)"
    assert found["start"]["execution_timeout"] == "timedelta(seconds=600)"
    assert found["train"]["image"] == "'python:3.11-slim'"
    assert "'memory': '4096Mi'" in found["train"]["container_resources"]
    assert found["train"]["env_vars"] == "{'TRAINING_MODE': 'demo'}"
    assert found["score"]["secrets"] == "[Secret('env', None, 'scoring-api-key')]"
    assert "retries" not in found["end"]


def test_schedule_and_timezone_and_project() -> None:
    tree = example("decorators")
    dag = keywords(calls(tree, "DAG")[0])
    assert dag["schedule"] == "'30 6 * * 1-5'"
    assert dag["start_date"] == "pendulum.datetime(2024, 1, 1, tz='Europe/Paris')"
    assert dag["catchup"] == "False"
    assert dag["dag_id"] == "'decorator_tour.DecoratorsFlow'"
    assert "max_active_tasks" not in dag
    tree = example("decorators", max_active_tasks="4", start_date="2025-06-30")
    dag = keywords(calls(tree, "DAG")[0])
    assert dag["max_active_tasks"] == "4"
    assert dag["start_date"].startswith("pendulum.datetime(2025, 6, 30,")


def test_parameters_are_typed_params_and_reach_the_start_step() -> None:
    tree = example("parameters")
    params = next(k.value for k in calls(tree, "DAG")[0].keywords if k.arg == "params")
    assert isinstance(params, ast.Dict)
    written = {ast.literal_eval(key): ast.unparse(value)
               for key, value in zip(params.keys, params.values, strict=True) if key}
    assert written["count"] == "Param(3, type='integer', description='how many times')"
    assert written["ratio"].startswith("Param(0.5, type='number'")
    assert written["shout"].startswith("Param(False, type='boolean'")
    assert written["style"].startswith("Param({'sep': '-', 'suffix': '!'}, description=")
    assert written["colors"].startswith("Param('red,green,blue', type='string'")
    start = tasks(tree)["start"]["arguments"]
    assert "'shout={{ params[\\'shout\\'] | lower }}'" in start or \
        "\"shout={{ params['shout'] | lower }}\"" in start
    assert "style={{ params['style'] | json }}" in start


def test_a_parameter_without_a_default_is_required_at_trigger_time(tmp_path: Path) -> None:
    text, problems = compile_source(tmp_path, HEAD + "class F(FlowSpec):\n"
                                    "    who = Parameter('who', help='h')\n\n" + TAIL)
    assert text is not None, problems
    assert '"who": Param(type="string", description="h")' in text


HEAD = "from flowc import FlowSpec, Parameter, schedule, step\n\n"
TAIL = ("    @step\n    def start(self):\n        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n")


def test_a_scheduled_flow_with_a_required_parameter_is_flc201(tmp_path: Path) -> None:
    text, problems = compile_source(tmp_path, HEAD + "@schedule(daily=True)\nclass F(FlowSpec):\n"
                                    "    who = Parameter('who')\n\n" + TAIL)
    assert text is None
    assert any(p.startswith("5:FLC201") and "'who' has no default" in p for p in problems)


def test_a_switch_loop_is_flc201() -> None:
    text, problems = compile_path(ROOT / "examples/switch_loop.py")
    assert text is None
    assert any("FLC201" in p and "loops back" in p for p in problems), problems


FOREACH_IN_BRANCH = '''from flowc import FlowSpec, step


class F(FlowSpec):
    @step
    def start(self):
        self.xs = [1, 2]
        self.next(self.outer, foreach="xs")

    @step
    def outer(self):
        self.ys = [3]
        self.next(self.a, self.b)

    @step
    def a(self):
        self.ys = [1]
        self.next(self.inner, foreach="ys")

    @step
    def inner(self):
        self.next(self.join_inner)

    @step
    def join_inner(self, inputs):
        self.next(self.join_ab)

    @step
    def b(self):
        self.next(self.join_ab)

    @step
    def join_ab(self, inputs):
        self.merge_artifacts(inputs, include=[])
        self.next(self.join_outer)

    @step
    def join_outer(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass
'''


def test_a_nested_foreach_inside_a_branch_of_a_foreach_body_is_flc201(tmp_path: Path) -> None:
    text, problems = compile_source(tmp_path, FOREACH_IN_BRANCH)
    assert text is None
    assert [p.split(" ")[0] for p in problems] == ["18:FLC201"], problems
    assert "cannot nest mapped task groups" in problems[0]


def test_ids_fit_airflow_and_never_collide(tmp_path: Path) -> None:
    long = "s" * 128  # the longest step name flowc check accepts
    source = ("from flowc import FlowSpec, step\n\n\nclass F(FlowSpec):\n"
              "    @step\n    def start(self):\n        self.xs = [1]\n"
              "        self.next(self.start_items, foreach='xs')\n\n"
              "    @step\n    def start_items(self):\n"
              f"        self.next(self.{long})\n\n"
              f"    @step\n    def {long}(self):\n        self.next(self.join)\n\n"
              "    @step\n    def join(self, inputs):\n        self.next(self.end)\n\n"
              "    @step\n    def end(self):\n        pass\n")
    text, problems = compile_source(tmp_path, source)
    assert text is not None, problems
    tree = ast.parse(text)
    ids = [ast.literal_eval(keywords(c)["task_id"]) for c in
           calls(tree, "KubernetesPodOperator") + calls(tree, "foreach_items")]
    assert len(ids) == len(set(ids)) == 6
    assert all(len(task_id) <= 149 and task_id.replace("_", "").isalnum() for task_id in ids)
    assert "start_items" not in ids  # the step and the items task both had to change
    groups = [ast.literal_eval(keywords(c)["group_id"]) for c in calls(tree, "task_group")]
    assert all("." not in group and len(group) <= 100 for group in groups)


def test_the_same_flow_gives_the_same_bytes() -> None:
    first, _ = compile_path(ROOT / "examples/nested_foreach.py")
    second, _ = compile_path(ROOT / "examples/nested_foreach.py")
    assert first == second and first is not None


@pytest.mark.parametrize(("overrides", "message"), [
    ({"operator": "docker"}, "setting 'operator' is 'docker': use kubernetes or local"),
    ({"image": ""}, "setting 'image' is required with operator=kubernetes"),
    ({"datastore": "relative/dir", "operator": "local"}, "use s3://bucket/prefix or an "
                                                          "absolute path"),
    ({"datastore": "/srv/ds"}, "must be s3://bucket/prefix with operator=kubernetes"),
    ({"start_date": "yesterday"}, "setting 'start_date' is 'yesterday'"),
])
def test_bad_settings_are_one_line(overrides: dict[str, str], message: str) -> None:
    args = [arg for key, value in {**SETTINGS, **overrides}.items()
            for arg in ("--set", f"{key}={value}")]
    done = subprocess.run([FLOWC, "compile", "examples/hello.py", "-t", "airflow", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr
    assert done.stderr.startswith("flowc: error:")


def test_triggers_are_assets_and_every_end_updates_its_flow_s_asset() -> None:
    tree = example("trigger_on_finish")
    dag = keywords(calls(tree, "DAG")[0])
    assert dag["schedule"].startswith("Asset('flowc-finished-")
    assert keywords(calls(example("event_trigger"), "DAG")[0])["schedule"] == \
        "Asset('sales_data_ready')"
    end = tasks(example("hello"))["end"]
    assert end["outlets"] == "[Asset('flowc-finished-HelloFlow')]"
    assert "outlets" not in tasks(example("hello"))["start"]


def test_several_events_are_any_of_them(tmp_path: Path) -> None:
    text, problems = compile_source(
        tmp_path, "from flowc import FlowSpec, step, trigger\n\n"
        "@trigger(events=['a', {'name': 'b', 'parameters': {'x': 'y'}}])\n"
        "class F(FlowSpec):\n" + TAIL.replace("    @step", "    @step", 1))
    assert text is not None, problems
    assert 'schedule=AssetAny(Asset("a"), Asset("b"))' in text
    assert any(p.startswith("3:FLC202") and "parameters of event 'b'" in p for p in problems)


def test_a_schedule_and_a_trigger_together_are_flc201(tmp_path: Path) -> None:
    text, problems = compile_source(
        tmp_path, "from flowc import FlowSpec, schedule, step, trigger\n\n"
        "@schedule(daily=True)\n@trigger(event='e')\nclass F(FlowSpec):\n" + TAIL)
    assert text is None
    assert any(p.startswith("4:FLC201") and "one schedule" in p for p in problems), problems
