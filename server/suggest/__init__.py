"""Suggested groups: local, dependency-free clustering of a board's sticky notes."""
