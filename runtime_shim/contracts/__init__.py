"""The orchestrator contracts: what a target and the shim must agree on, one module each.

`outputs` (the outputs JSON and the datastore key it is also written to), `index_path` (how an
orchestrator composes a task's foreach index path), `parameters` (a value as the raw string the
shim decodes) and `run_id` (one run-id format every orchestrator accepts). See
docs/task-contract.md. Imports nothing but the stdlib, the shim and `flowc.compiler.ir`.
"""
