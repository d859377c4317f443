"""Device administration: systemd integration, install, provisioning, self-test, status and
central configuration. Everything a technician meets between a blank SD card and a device
that reports itself healthy."""
