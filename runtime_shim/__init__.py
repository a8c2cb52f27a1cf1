"""The runtime shim: what runs inside every task of every target.

`flowc.runtime_shim.api` is the authoring API (re-exported by `flowc`);
`python -m flowc.runtime_shim step ...` runs one task (docs/task-contract.md).
Standard library only (+ boto3 for S3).
"""
