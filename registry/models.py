"""Models of the candidate registry."""
