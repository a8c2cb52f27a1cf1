"""The Jinja template of `airflow.py`: the module docstring, imports, the three small task
functions every DAG shares (`run_step` in the local form, `foreach_items`, `chosen`), and the
DAG with its statements (flowc.targets.airflow.dag). Every value reaching the template is
already Python source (flowc.targets.airflow.literals): the template never writes user text.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2

MODULE = '''\
"""{{ flow_name }} as an Airflow 3 DAG, written by `flowc compile --target airflow`.

Every task runs one step of the flow in flowc's runtime shim, {{ form }}.
The shim reads the step's inputs from the datastore, writes its artifacts there, and returns
only small outputs through XCom: a foreach's number of children, a switch's choice.
Regenerate this file with flowc instead of editing it.
"""

from __future__ import annotations

{% if stdlib -%}
{{ stdlib | join("\n") }}

{% endif -%}
{{ imports | join("\n") }}

{% for name, value in constants -%}
{{ name }} = {{ value }}
{% endfor -%}
{% if functions %}

{{ functions }}
{% endif %}

with DAG(
{%- for name, value in dag_arguments %}
    {{ name }}={{ value }},
{%- endfor %}
) as dag:
{{ body }}
'''

LOCAL_FUNCTION = '''\
@task
def run_step(argv: list[str]) -> dict[str, Any]:
    """Run one task of the flow as a process on this worker. The shim prints one line, its
    outputs JSON, which becomes the XCom. Exit 2 (a bad invocation) and 130 (interrupted)
    fail the task without a retry."""
    done = subprocess.run(argv, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode in (2, 130):
        raise AirflowFailException(f"the flowc shim exited {done.returncode} (not retried)")
    if done.returncode != 0:
        raise RuntimeError(f"the flowc shim exited {done.returncode}")
    return json.loads(done.stdout)
'''

FOREACH_FUNCTION = '''\
@task
def foreach_items(outputs: dict[str, Any] | list[dict[str, Any]]) -> list[str]:
    """The index paths of a foreach's children, from the XCom of the foreach task (a dict),
    or of every mapped task of a nested foreach's step (a list): task "t.0.2" has the index
    path "0,2", and its children "0,2,0", "0,2,1", ..."""
    items: list[str] = []
    for output in [outputs] if isinstance(outputs, dict) else outputs:
        parent = output["task_id"].split(".")[1:]
        items += [",".join([*parent, str(i)]) for i in range(output["foreach_cardinality"])]
    if len(items) > MAX_MAP_LENGTH:
        raise AirflowFailException(
            f"the foreach has {len(items)} tasks, more than core.max_map_length "
            f"({MAX_MAP_LENGTH}): raise that, then compile with --set max_map_length=N")
    return items
'''

SWITCH_FUNCTION = '''\
@task
def chosen(outputs: dict[str, Any], target: str) -> None:
    """Go on into a switch's case only if the switch step chose it (its XCom's switch_target
    names the case's first step); otherwise skip the case."""
    if outputs["switch_target"] != target:
        raise AirflowSkipException(f"the switch chose {outputs['switch_target']}")
'''

STATEMENTS = '''\
{%- macro task_call(s, pad) -%}
{%- if s.operator == "kubernetes" -%}
{{ pad }}{{ s.lhs }}KubernetesPodOperator(
{{ pad }}    task_id={{ s.task_id | py }},
{{ pad }}    cmds=[PYTHON],
{{ pad }}    arguments=[
{%- for line in s.argv %}
{{ pad }}        {{ line }},
{%- endfor %}
{{ pad }}    ],
{%- for name, value in s.options %}
{{ pad }}    {{ name }}={{ value }},
{%- endfor %}
{{ pad }})
{%- else -%}
{%- if s.options -%}
{{ pad }}{{ s.lhs }}run_step.override(
{{ pad }}    task_id={{ s.task_id | py }},
{%- for name, value in s.options %}
{{ pad }}    {{ name }}={{ value }},
{%- endfor %}
{{ pad }})(
{%- else -%}
{{ pad }}{{ s.lhs }}run_step.override(task_id={{ s.task_id | py }})(
{%- endif %}
{{ pad }}    argv=[
{%- for line in s.argv %}
{{ pad }}        {{ line }},
{%- endfor %}
{{ pad }}    ],
{{ pad }})
{%- endif -%}
{%- endmacro -%}

{%- macro block(statements, pad) -%}
{%- for s in statements %}
{%- if s.kind == "step" %}
{{ task_call(s, pad) }}
{%- elif s.kind == "edge" %}
{{ pad }}{{ s.upstream | upstream }} >> {{ s.downstream }}
{%- elif s.kind == "items" %}
{{ pad }}{{ s.lhs }}foreach_items.override(task_id={{ s.task_id | py }})({{ s.source }})
{%- elif s.kind == "gate" %}
{{ pad }}{{ s.lhs }}chosen.override(task_id={{ s.task_id | py }})(
{{- s.source }}, {{ s.target | py }})
{%- elif s.kind == "group" %}

{{ pad }}@task_group(group_id={{ s.group_id | py }})
{{ pad }}def {{ s.function }}(index_path: str) -> {{ "Any" if s.returns else "None" }}:
{{ pad }}    """{{ s.doc }}"""
{{- block(s.body, pad ~ "    ") }}
{%- if s.returns %}
{{ pad }}    return {{ s.returns }}
{%- endif %}

{{ pad }}{{ s.result }} = {{ s.function }}.expand(index_path={{ s.over }})
{%- endif %}
{%- endfor %}
{%- endmacro -%}
{{ block(statements, "    ") }}'''


@functools.cache
def environment() -> jinja2.Environment:
    from flowc.targets.airflow.literals import py

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             autoescape=False)
    env.filters["py"] = py
    env.filters["upstream"] = lambda names: names[0] if len(names) == 1 \
        else f"[{', '.join(names)}]"
    return env


def render_module(**values: Any) -> str:
    return environment().from_string(MODULE).render(**values)


def render_statements(statements: list[dict[str, Any]]) -> str:
    return environment().from_string(STATEMENTS).render(statements=statements)
