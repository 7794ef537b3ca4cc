"""The engine every environment change goes through: plan, lease, journaled steps, record."""
