"""CTA writes: the daily generation (generate.py), the visible priority (priority.py), and what CSMs and
managers do to CTAs (lifecycle.py)."""
