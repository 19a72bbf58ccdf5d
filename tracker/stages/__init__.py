"""Stage-gated delivery: stages, tolerances, gate reviews and exceptions."""
