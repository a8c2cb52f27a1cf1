"""Graph and flow rules: one function per rule, each returning diagnostics."""
