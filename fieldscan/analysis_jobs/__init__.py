"""Analysis of stored answers inside the app: runs, per-answer tags, incremental tagging."""
