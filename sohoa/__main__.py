"""`python -m sohoa` is the `sohoa` command."""

from sohoa.pipeline.cli import main

raise SystemExit(main())
