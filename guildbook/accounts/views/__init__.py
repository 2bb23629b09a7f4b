"""Account pages: a person's profile and API tokens, and their data (download, erasure)."""
