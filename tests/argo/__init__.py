"""Test-side tools that prove Argo Workflows output with Argo's own rules: the strict schema
(`argo.schema`), Argo's reference checks (`argo.references`) and a local executor
(`argo.executor`)."""
