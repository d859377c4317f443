"""The announcer role: a voice for a second waiting area, without a screen."""
