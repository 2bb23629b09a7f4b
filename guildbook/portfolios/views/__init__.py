"""Portfolios pages by audience: the evidence log, skills audits, the statement, the builder and
exports, and the assessor's read-only link."""
