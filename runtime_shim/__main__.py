"""`python -m flowc.runtime_shim step STEP ...`: run one task (see runtime_shim.command)."""

from flowc.runtime_shim.command import main

if __name__ == "__main__":
    raise SystemExit(main())
