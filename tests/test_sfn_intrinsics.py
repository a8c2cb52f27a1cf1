"""The intrinsic functions flowc writes mean what the task contract says: a small evaluator of
the ASL intrinsics flowc uses (States.Array, States.Format, States.MathAdd, quoted literals
with ASL's backslash escapes, JSONPaths) runs the expressions of the compiled definitions and
compares them with what `shim_command`, `task_id` and `outputs_key` give for the same task.

Hostile strings (quotes, braces, backslashes, `$(...)`, newlines, non-ASCII) in settings and
in parameter values must come out exactly as they went in."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flowc.compiler import check_file
from flowc.runtime_shim.contracts.outputs import foreach_items_key, outputs_key
from flowc.runtime_shim.identity import task_id
from flowc.targets.base import shim_command
from flowc.targets.emit import compile_checked, target_settings
from flowc.targets.sfn.intrinsics import literal

ROOT = Path(__file__).resolve().parent.parent
WEIRD = "it's \"q\" {x} {} \\ \\' $(id) `u` \n é ✓ States.Format('{}', $.a)"
_PATH = re.compile(r"\$\$?(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


class _Parser:
    """expr := States.NAME(expr, ...) | 'literal' | $.path | number."""

    def __init__(self, text: str, context: dict[str, Any]) -> None:
        self.text, self.at, self.context = text, 0, context

    def parse(self) -> Any:
        value = self._expr()
        assert self.at == len(self.text), f"trailing text at {self.at}: {self.text[self.at:]!r}"
        return value

    def _expr(self) -> Any:
        text = self.text
        if text.startswith("States.", self.at):
            name = re.compile(r"States\.([A-Za-z]+)\(").match(text, self.at)
            assert name, text[self.at:]
            self.at = name.end()
            arguments = []
            while text[self.at] != ")":
                arguments.append(self._expr())
                if text[self.at] == ",":
                    self.at += 1
                    while text[self.at] == " ":
                        self.at += 1
            self.at += 1
            return _call(name.group(1), arguments)
        if text[self.at] == "'":
            return self._literal()
        path = _PATH.match(text, self.at)
        if path and path.group():
            self.at = path.end()
            return _lookup(self.context, path.group())
        number = re.compile(r"-?[0-9]+").match(text, self.at)
        assert number, f"no expression at {text[self.at:]!r}"
        self.at = number.end()
        return int(number.group())

    def _literal(self) -> _Text:
        chars: list[tuple[str, bool]] = []  # (character, escaped)
        self.at += 1
        while self.text[self.at] != "'":
            if self.text[self.at] == "\\":
                chars.append((self.text[self.at + 1], True))
                self.at += 2
            else:
                chars.append((self.text[self.at], False))
                self.at += 1
        self.at += 1
        return _Text(chars)


class _Text(str):
    """A literal, remembering which characters were escaped (for Format's `{}`)."""

    chars: list[tuple[str, bool]]

    def __new__(cls, chars: list[tuple[str, bool]]) -> _Text:
        value = super().__new__(cls, "".join(char for char, _ in chars))
        value.chars = chars
        return value


def _lookup(context: dict[str, Any], path: str) -> Any:
    value: Any = context["$$"] if path.startswith("$$") else context["$"]
    for part in path.lstrip("$").split(".")[1:]:
        value = value[part]
    return value


def _call(name: str, arguments: list[Any]) -> Any:
    if name == "Array":
        return list(arguments)
    if name == "MathAdd":
        return arguments[0] + arguments[1]
    if name == "Format":
        template, values = arguments[0], [str(v) for v in arguments[1:]]
        assert isinstance(template, _Text)
        out, chars, i = [], template.chars, 0
        while i < len(chars):
            if chars[i] == ("{", False):
                assert chars[i + 1] == ("}", False), "a lone unescaped brace"
                out.append(values.pop(0))
                i += 2
            else:
                out.append(chars[i][0])
                i += 1
        assert not values, "more arguments than placeholders"
        return "".join(out)
    raise AssertionError(f"flowc wrote States.{name}, which this evaluator does not know")


def evaluate(expression: str, state: dict[str, Any], **context: Any) -> Any:
    return _Parser(expression, {"$": state, "$$": context}).parse()


def compiled(example: str, **overrides: str) -> dict[str, Any]:
    path = ROOT / "examples" / f"{example}.py"
    checked = check_file(path, root=ROOT).checked
    assert checked is not None
    settings = target_settings(("sfn",), path, checked, overrides=overrides, environ={})
    output = compile_checked(checked, ("sfn",), settings)
    assert output.ok, [d.message for d in output.diagnostics]
    definition: dict[str, Any] = json.loads(output.files["sfn.json"])
    return definition


def _context(definition: dict[str, Any], run_id: str, **state: Any) -> dict[str, Any]:
    flowc = dict(definition["States"]["flowc.context"]["Parameters"]["flowc"])
    flowc.update({"run_id": run_id, "origin_run_id": "", "reuse_steps": ""})
    del flowc["run_id.$"], flowc["origin_run_id.$"], flowc["reuse_steps.$"]
    return {"flowc": flowc, "index_path": "", "task_path": "", **state}


def _command(state: dict[str, Any]) -> str:
    parameters = state["Parameters"]
    overrides = parameters.get("ContainerOverrides") or \
        parameters["Overrides"]["ContainerOverrides"][0]
    return str(overrides["Command.$"])


@pytest.mark.parametrize("text", [WEIRD, "", "'", "\\", "{}", "\\'", "}{"])
def test_a_literal_reads_back_as_written(text: str) -> None:
    assert evaluate(literal(text), {}) == text


@pytest.mark.parametrize("compute", ["batch", "ecs"])
def test_the_start_command_is_shim_command_with_hostile_settings_and_values(
        compute: str) -> None:
    datastore = "s3://bucket/it's/{x}/a\\b/$(id)"
    python = "py'th{}on \\ é"
    extra = {"cluster": "c", "task_definition": "t", "subnets": "s"} if compute == "ecs" else {}
    definition = compiled("hostile_strings", datastore=datastore, python=python,
                          compute=compute, code_package="d" * 64, **extra)
    values = {"note": WEIRD, "label": "{}'\\"}
    state = _context(definition, "run-1", parameters=values)
    argv = evaluate(_command(definition["States"]["start"]), state,
                    State={"RetryCount": 0})
    assert argv == list(shim_command(
        run_id="run-1", step="start", datastore=datastore, code_package="d" * 64,
        params=list(values.items()), param_values_apart=True, origin_run_id="",
        reuse_steps="", python=python))


def test_no_user_string_is_ever_an_intrinsic_literal() -> None:
    """Settings and values reach intrinsics only by path, so a literal never needs an escape
    (aws-local-stepfunctions mishandles escapes: it refuses an escaped backslash and keeps
    the backslash of an escaped quote in States.Array; and its States.Format drops the
    backslashes of a value, so a parameter value never goes through one)."""
    definitions = [compiled(path.stem) for path in sorted((ROOT / "examples").glob("*.py"))]
    definitions.append(compiled("hostile_strings", datastore="s3://b/it's/{x}/a\\b",
                                python="py'th{}on \\ é"))
    for definition in definitions:
        expressions = [value for key, value in _walk_values(definition) if key.endswith(".$")]
        assert len(expressions) > 5
        for expression in expressions:
            assert "\\" not in expression, expression  # no escape in any literal
            assert not re.search(r"Format\([^)]*\$\.parameters", expression), expression


def _walk_values(value: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                found.append((key, item))
            found += _walk_values(item)
    elif isinstance(value, list):
        for item in value:
            found += _walk_values(item)
    return found


def test_defaults_are_the_raw_strings_the_shim_decodes() -> None:
    definition = compiled("parameters")
    defaults = definition["States"]["flowc.input"]["Parameters"]["parameter_defaults"]
    from flowc.runtime_shim.contracts.parameters import raw_default

    checked = check_file(ROOT / "examples" / "parameters.py", root=ROOT).checked
    assert checked is not None
    expected = {p.name: raw_default(p) for p in checked.flow.parameters
                if raw_default(p) is not None}
    assert defaults == expected and all(isinstance(v, str) for v in defaults.values())


def _map_item(definition: dict[str, Any], step: str, scope: dict[str, Any],
              index: int, state: dict[str, Any]) -> dict[str, Any]:
    selector = scope[f"{step}.map"]["ItemSelector"]
    item = {"flowc": state["flowc"]}
    for key in ("index_path", "task_path"):
        item[key] = evaluate(selector[f"{key}.$"], state, Map={"Item": {"Index": index}})
    return item


def test_nested_foreach_items_name_the_tasks_of_the_contract() -> None:
    definition = compiled("nested_foreach", code_package="0" * 64)
    top = definition["States"]
    state = _context(definition, "r9")
    year = _map_item(definition, "start", top, 1, state)
    inner = top["start.map"]["ItemProcessor"]["States"]
    quarter = _map_item(definition, "year", inner, 0, year)
    innermost = inner["year.map"]["ItemProcessor"]["States"]
    month = _map_item(definition, "quarter", innermost, 2, quarter)
    assert (year["index_path"], quarter["index_path"], month["index_path"]) == \
        (",1", ",1,0", ",1,0,2")
    month_state = innermost["quarter.map"]["ItemProcessor"]["States"]["month"]
    argv = evaluate(_command(month_state), month, State={"RetryCount": 0})
    assert argv[argv.index("--index-path") + 1] == ",1,0,2"
    key = evaluate(innermost["quarter.outputs"]["Parameters"]["Key.$"], quarter)
    assert key == "datastore/" + outputs_key("NestedForeachFlow", "r9", "quarter",
                                             task_id((1, 0)))


def test_the_item_reader_reads_the_list_the_shim_writes() -> None:
    definition = compiled("foreach", map_items="s3")
    reader = definition["States"]["start.map"]["ItemReader"]
    state = _context(definition, "r1")
    key = evaluate(reader["Parameters"]["Key.$"], state)
    assert key == "datastore/" + foreach_items_key("ForeachFlow", "r1", "start", "t")
    assert "start.outputs" not in definition["States"]  # nothing read into the state


def test_a_switch_loop_names_each_iteration_as_the_contract_does() -> None:
    definition = compiled("switch_loop")
    states = definition["States"]
    state = _context(definition, "r2")
    loop = {key.removesuffix(".$"): evaluate(value, state) if key.endswith(".$") else value
            for key, value in states["increment.loop"]["Parameters"].items()}
    seen = []
    for _ in range(3):
        state["loop"] = loop
        argv = evaluate(_command(states["increment"]), state, State={"RetryCount": 0})
        iteration = int(argv[argv.index("--iteration") + 1])
        key = evaluate(states["increment.outputs"]["Parameters"]["Key.$"], state)
        seen.append((iteration, key))
        loop = {key.removesuffix(".$"): evaluate(value, state)
                for key, value in states["increment.again"]["Parameters"].items()}
    assert seen == [(n, "datastore/" + outputs_key("SwitchLoopFlow", "r2", "increment",
                                                   task_id((), n))) for n in range(3)]


def test_the_retry_count_is_the_state_retry_count() -> None:
    definition = compiled("decorators")
    state = _context(definition, "r3")
    argv = evaluate(_command(definition["States"]["start"]), state, State={"RetryCount": 2})
    assert argv[argv.index("--retry-count") + 1] == "2"
