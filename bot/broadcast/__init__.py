"""Staff broadcasts: who they reach (segments.py, the segment index kept by the worker)."""
