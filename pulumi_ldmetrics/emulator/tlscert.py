"""A self-signed certificate for `--tls`, so clients that force https can use the emulator.

LaunchDarkly's Terraform provider strips the scheme from its `api_host` and always speaks
https; pointing it at the emulator needs a certificate it can be told to trust (for a Go
client, `SSL_CERT_FILE=<cert.pem>`; for httpx, `verify=<cert.pem>`). One certificate serves as
both the server's leaf and its own trust anchor: it names `127.0.0.1` and `localhost`, is a CA
(so it can be passed as a CA file), and carries the key identifiers strict verifiers demand.

Needs the `cryptography` package (`pip install 'pulumi-ldmetrics[tls]'`), imported only
when a certificate is generated, so the emulator runs without it.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Final

VALID_DAYS: Final = 30
CERT_NAME: Final = "emulator-cert.pem"
KEY_NAME: Final = "emulator-key.pem"


class TlsUnavailableError(RuntimeError):
    """`cryptography` is not installed."""


@dataclass(frozen=True)
class CertFiles:
    """Where a generated certificate and its private key were written."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """A TLS server context serving this certificate (TLS 1.2 or later)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts exactly this certificate."""
        return ssl.create_default_context(cafile=str(self.cert))


def generate(directory: str | Path) -> CertFiles:
    """Write a fresh self-signed certificate and key (mode 0600) into `directory`."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError:
        raise TlsUnavailableError(
            "--tls needs the 'cryptography' package: pip install 'pulumi-ldmetrics[tls]'"
        ) from None

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ldmetrics emulator (127.0.0.1)")])
    now = datetime.datetime.now(datetime.timezone.utc)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        # A little slack before now, for clocks that disagree by a few seconds.
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    files = CertFiles(out / CERT_NAME, out / KEY_NAME)
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created 0600 from the start: the key is never readable by others, even briefly.
    fd = os.open(files.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_pem)
    return files
