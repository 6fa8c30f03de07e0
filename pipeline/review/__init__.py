"""The review site of `sohoa serve` (see pipeline/serve.py and docs/review.md)."""
