"""The console's TLS certificate: the site's own, or a self-signed one made on first start.

A technician who has the site CA's certificate for the console names it in `[devices.web]`.
Without one, the first start makes a self-signed pair in the data directory with openssl
(as for the broker's certificates) and logs its SHA-256 fingerprint, so staff can check the
browser's warning against it once and the console is never served in plain HTTP.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
from pathlib import Path

from firmware.site_model import WebConfig

log = logging.getLogger(__name__)
DAYS = 825  # the longest validity browsers accept for a server certificate


class CertificateError(RuntimeError):
    """No certificate can be had; the message says why and what to do."""


def _resolve(name: str, base: Path) -> Path:
    path = Path(name)
    return path if path.is_absolute() else base / path


def ensure_certificate(web: WebConfig, data_dir: Path) -> tuple[Path, Path]:
    """(certificate, key) to serve with, made now if the config names none and none exists."""
    if web.cert_file:
        cert, key = _resolve(web.cert_file, data_dir), _resolve(web.key_file, data_dir)
        for path in (cert, key):
            if not path.is_file():
                raise CertificateError(f"{path} does not exist (cert_file/key_file in "
                                       "[devices.web])")
        return cert, key
    folder = data_dir / "web-tls"
    cert, key = folder / "console.crt", folder / "console.key"
    if cert.is_file() and key.is_file():
        return cert, key
    if shutil.which("openssl") is None:
        raise CertificateError("no certificate configured and no openssl to make one "
                               "(apt install openssl)")
    folder.mkdir(parents=True, exist_ok=True)
    host = socket.gethostname() or "piste"
    san = f"subjectAltName=DNS:{host},DNS:{host}.local,DNS:localhost,IP:127.0.0.1"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", str(DAYS), "-subj", f"/CN={host}", "-addext", san,
         "-keyout", str(key), "-out", str(cert)], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        raise CertificateError(f"openssl could not make a certificate: {made.stderr.strip()}")
    key.chmod(0o600)
    log.warning("made a self-signed certificate for the console: %s (fingerprint %s)",
                cert, fingerprint(cert))
    return cert, key


def fingerprint(cert: Path) -> str:
    out = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint",
                          "-sha256"], capture_output=True, text=True, check=False)
    return out.stdout.strip().partition("=")[2] or "unknown"
