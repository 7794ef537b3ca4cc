"""Thin adapters, one per outside system."""
