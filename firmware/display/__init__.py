"""The display role: the lobby screen, its chime or buzzer, and how stale data is shown."""
