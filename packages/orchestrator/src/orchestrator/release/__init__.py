"""Versions, releases, promotions, channels, yanks: the widget and backend release path."""
