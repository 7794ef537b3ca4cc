"""Booking Chat release orchestrator."""
