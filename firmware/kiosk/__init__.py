"""The kiosk role: the ticket dispenser's screen, keys, printer, scanner and speech."""
