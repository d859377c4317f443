"""piste: firmware for the lobby devices of Suomi-piste service points."""

__version__ = "0.1.0"
