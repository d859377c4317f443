"""Room-unit sensor adapters: hardware on one side, `(present, moment)` readings on the other.

Each adapter runs on its library's thread (gpiozero's pin callbacks, a serial reader) and only
hands readings over through a callback that posts to the runtime's inbox.
"""
