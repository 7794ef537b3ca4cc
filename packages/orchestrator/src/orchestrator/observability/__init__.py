"""Telling Sentry what runs where: settings, preflight, and the journaled steps of each operation."""
