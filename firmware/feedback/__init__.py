"""The feedback role: exit-route rating and the yearly survey."""
