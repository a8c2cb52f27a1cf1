"""The settings layer: precedence of the four layers, the nearest pyproject.toml, unknown keys,
missing required settings, type conversion and the environment variable names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from flowc.targets.settings import (
    CommonSettings,
    SettingsError,
    parse_overrides,
    resolve_settings,
    setting,
)
from flowc.targets.settings.sources import env_name


@dataclass(frozen=True, slots=True, kw_only=True)
class ToySettings(CommonSettings):
    """A target schema for the tests: one of each type, one required."""

    namespace: str = setting(help="the namespace workflows run in")
    retries: int = setting(default=2, help="retries per task")
    dry_run: bool = setting(default=False, help="print instead of deploying")
    labels: tuple[str, ...] = setting(default=(), help="labels on every object")
    service_account: str | None = setting(default=None, help="the service account")


def _flow(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "flow.py").write_text("")
    return folder / "flow.py"


def _pyproject(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(text)
    return folder / "pyproject.toml"


def _resolve(flow: Path, overrides: dict[str, str] | None = None,
             environ: dict[str, str] | None = None, target: str | None = "toy",
             schema: type[CommonSettings] = ToySettings):
    return resolve_settings(target, schema, flow_file=flow, overrides=overrides or {},
                            environ=environ or {})


def _error(flow: Path, **kwargs: object) -> str:
    with pytest.raises(SettingsError) as caught:
        _resolve(flow, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_each_layer_beats_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    flow = _flow(tmp_path / "proj")
    _pyproject(tmp_path / "proj", '[tool.flowc]\nimage = "from-common"\n'
               '[tool.flowc.toy]\nimage = "from-target"\nnamespace = "ns"\n')
    environ = {"FLOWC_IMAGE": "env-common", "FLOWC_TOY_IMAGE": "env-target",
               "FLOWC_DATASTORE": "s3://env/ds", "FLOWC_TOY_RETRIES": "7"}
    where = "proj/pyproject.toml [tool.flowc.toy]"
    layers = [({"image": "cli"}, "cli", "command line"),
              ({}, "from-target", where)]
    for overrides, value, source in layers:
        resolved = _resolve(flow, overrides, environ)
        assert (resolved.value.image, resolved.sources["image"]) == (value, source)
    _pyproject(tmp_path / "proj", '[tool.flowc]\nimage = "from-common"\n'
               '[tool.flowc.toy]\nnamespace = "ns"\n')
    resolved = _resolve(flow, {}, environ)
    assert (resolved.value.image, resolved.sources["image"]) == (
        "from-common", "proj/pyproject.toml [tool.flowc]")
    _pyproject(tmp_path / "proj", '[tool.flowc.toy]\nnamespace = "ns"\n')
    resolved = _resolve(flow, {}, environ)
    assert (resolved.value.image, resolved.sources["image"]) == ("env-target",
                                                                 "env FLOWC_TOY_IMAGE")
    del environ["FLOWC_TOY_IMAGE"]
    resolved = _resolve(flow, {}, environ)
    assert (resolved.value.image, resolved.sources["image"]) == ("env-common", "env FLOWC_IMAGE")
    resolved = _resolve(flow, {}, {})
    assert (resolved.value.image, resolved.sources["image"]) == (None, "default")
    resolved = _resolve(flow, {}, environ)
    assert resolved.value.datastore == "s3://env/ds" and resolved.value.retries == 7
    assert resolved.value == ToySettings(namespace="ns", retries=7, datastore="s3://env/ds",
                                         image="env-common")
    assert resolved.sources["namespace"] == where and resolved.sources["labels"] == "default"


def test_the_nearest_pyproject_with_a_flowc_table_wins(tmp_path: Path) -> None:
    flow = _flow(tmp_path / "repo" / "team" / "flows")
    _pyproject(tmp_path / "repo", '[tool.flowc.toy]\nnamespace = "outer"\nretries = 5\n')
    assert _resolve(flow).value.namespace == "outer"
    _pyproject(tmp_path / "repo" / "team", '[tool.flowc.toy]\nnamespace = "inner"\n')
    resolved = _resolve(flow)
    assert (resolved.value.namespace, resolved.value.retries) == ("inner", 2)  # no merging
    assert str(tmp_path / "repo" / "team" / "pyproject.toml") in resolved.sources["namespace"]
    _pyproject(tmp_path / "repo" / "team" / "flows", '[project]\nname = "flows"\n')
    assert _resolve(flow).value.namespace == "inner"  # no [tool.flowc]: passed over


def test_an_unknown_key_names_the_key_and_its_file(tmp_path: Path) -> None:
    flow = _flow(tmp_path)
    path = _pyproject(tmp_path, '[tool.flowc.toy]\nnamespace = "ns"\nretires = 3\n')
    message = _error(flow)
    assert f"unknown setting 'retires' in {path} [tool.flowc.toy]; did you mean 'retries'?" in (
        message)
    _pyproject(tmp_path, '[tool.flowc]\nimgae = "x"\nnamespace = "ns"\n')
    message = _error(flow)
    assert "unknown setting 'imgae'" in message and "did you mean 'image'?" in message
    assert ("unknown setting 'namespace'" in message
            and "it is a setting of target toy: move it to [tool.flowc.toy]" in message)
    _pyproject(tmp_path, '[tool.flowc.tyo]\nnamespace = "ns"\n')
    assert "unknown target table [tool.flowc.tyo]" in _error(flow)
    _pyproject(tmp_path, '[tool.flowc.toy]\nnamespace = "ns"\n')
    assert "unknown setting 'nmspace' given with --set; did you mean 'namespace'?" in _error(
        flow, overrides={"nmspace": "x"})
    assert "unknown setting 'retrys' in the environment variable FLOWC_TOY_RETRYS" in _error(
        flow, environ={"FLOWC_TOY_RETRYS": "1"})
    assert _resolve(flow, environ={"FLOWC_CODE_CACHE": "/c", "FLOWC_ARGO_X": "1"}).value


def test_a_missing_required_setting_is_one_message_with_all_three_names(tmp_path: Path) -> None:
    flow = _flow(tmp_path)
    message = _error(flow)
    assert message == (
        "missing required setting 'namespace' (the namespace workflows run in): pass --set "
        "namespace=VALUE, set namespace in [tool.flowc.toy] of pyproject.toml, or set the "
        "environment variable FLOWC_TOY_NAMESPACE")
    path = _pyproject(tmp_path, "[tool.flowc]\n")
    assert f"set namespace in {path} [tool.flowc.toy]" in _error(flow)
    assert _resolve(flow, environ={"FLOWC_TOY_NAMESPACE": "ns"}).value.namespace == "ns"
    assert "FLOWC_NAMESPACE" not in _error(flow, environ={"FLOWC_NAMESPACE": "ns"})


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"retries": "abc"}, "setting 'retries' from command line: 'abc' is not an integer"),
    ({"retries": "1.5"}, "'1.5' is not an integer"),
    ({"dry_run": "maybe"}, "setting 'dry_run' from command line: 'maybe' is not a boolean"),
])
def test_type_errors_name_where_the_value_came_from(tmp_path: Path, overrides: dict[str, str],
                                                    expected: str) -> None:
    flow = _flow(tmp_path)
    assert expected in _error(flow, overrides={"namespace": "ns", **overrides})


def test_values_are_converted_from_text_and_toml(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    flow = _flow(tmp_path)
    value = _resolve(flow, {"namespace": "ns", "retries": " 4", "dry-run": "YES",
                            "labels": "a, b,,c", "service-account": ""}).value
    assert (value.retries, value.dry_run, value.labels, value.service_account) == (
        4, True, ("a", "b", "c"), None)
    _pyproject(tmp_path, '[tool.flowc.toy]\nnamespace = "ns"\nretries = 3\ndry-run = true\n'
               'labels = ["x", "y"]\nservice_account = "sa"\n')
    value = _resolve(flow).value
    assert (value.retries, value.dry_run, value.labels, value.service_account) == (
        3, True, ("x", "y"), "sa")
    _pyproject(tmp_path, '[tool.flowc.toy]\nnamespace = "ns"\nretries = true\nlabels = [1]\n')
    message = _error(flow)
    assert ("setting 'retries' from pyproject.toml [tool.flowc.toy]: True is a bool, expected int"
            in message)
    assert "setting 'labels' from pyproject.toml [tool.flowc.toy]: [1] is a list" in message
    _pyproject(tmp_path, '[tool.flowc.toy]\nnamespace = "ns"\nretries = 1\nretries = 2\n')
    assert "pyproject.toml is not valid TOML" in _error(flow)
    _pyproject(tmp_path, '[tool.flowc.toy]\nnamespace = "ns"\nretries = 1\nretries-x = 2\n'
               'dry_run = true\ndry-run = false\n')
    assert "setting 'dry_run' is given twice in pyproject.toml [tool.flowc.toy]" in _error(flow)


def test_environment_variable_names() -> None:
    assert env_name("image") == "FLOWC_IMAGE"
    assert env_name("service_account", "argo") == "FLOWC_ARGO_SERVICE_ACCOUNT"
    assert env_name("image", "my-target") == "FLOWC_MY_TARGET_IMAGE"


def test_common_settings_only(tmp_path: Path) -> None:
    flow = _flow(tmp_path)
    _pyproject(tmp_path, '[tool.flowc]\ndatastore = "s3://b/p"\n[tool.flowc.local]\nimage = "x"\n')
    resolved = _resolve(flow, target=None, schema=CommonSettings,
                        environ={"FLOWC_LOCAL_IMAGE": "ignored"})
    assert resolved.value == CommonSettings(datastore="s3://b/p")
    assert dict(resolved.sources) == {"datastore": f"{tmp_path / 'pyproject.toml'} [tool.flowc]",
                                      "image": "default", "s3_connect_timeout": "default",
                                      "s3_read_timeout": "default", "s3_max_attempts": "default",
                                      "s3_deadline": "default"}


def test_command_line_items_parse() -> None:
    assert parse_overrides(["image=a=b", "service-account=", "x = 1"]) == {
        "image": "a=b", "service_account": "", "x": " 1"}
    for items, message in ((["image"], "--set expects KEY=VALUE, got 'image'"),
                           (["=1"], "--set expects KEY=VALUE"),
                           (["a=1", "a=2"], "setting 'a' is given twice with --set")):
        with pytest.raises(SettingsError, match=message):
            parse_overrides(items)


def test_a_schema_with_an_unsupported_type_is_a_programming_error(tmp_path: Path) -> None:
    @dataclass(frozen=True, slots=True, kw_only=True)
    class Bad(CommonSettings):
        ratio: float = setting(default=0.5, help="a float")

    with pytest.raises(TypeError, match="setting 'ratio' has type"):
        _resolve(_flow(tmp_path), schema=Bad)
    with pytest.raises(TypeError, match="not a subclass of CommonSettings"):
        _resolve(_flow(tmp_path), schema=dict)  # type: ignore[arg-type]
