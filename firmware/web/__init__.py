"""The web role: the staff console in the browser."""
