"""Deterministic demo and benchmark data."""
