"""The frontend: flow source -> IR, with libcst, never importing or running the file."""
