"""A real TLS-terminating reverse proxy for the tests (R-4.1): Debian's nginx on loopback with a
throw-away certificate, in front of ``lpse serve`` started with ``LPSE_HTTPS=true`` and
``LPSE_PROXY_COUNT=1`` — the production shape of docs/deploy (nginx → gunicorn)."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

START_TIMEOUT = 90.0


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (the test trusts it as its CA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _wait_for_port(port: int, process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{what} exited at start:\n{log.read_text(errors='replace')[-3000:]}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not listen on {port} within {START_TIMEOUT:.0f} s")


NGINX_CONF = """
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  upstream lpse {{ server 127.0.0.1:{app_port}; }}
  server {{
    listen 127.0.0.1:{http_port};
    # ASVS V4.1.2: a program calling an API over plain http is refused, never redirected.
    location ~ ^/(api|sensor)/ {{
      default_type application/json;
      return 403 '{{"detail": "This API answers only over HTTPS.", "code": "https_required"}}';
    }}
    location / {{
      proxy_pass http://lpse;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
  server {{
    listen 127.0.0.1:{https_port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    # ASVS V12.1.1, V12.1.2: TLS 1.2 and 1.3 only; TLS 1.2 with forward-secret AEAD suites only
    # (Mozilla's "intermediate" list, strongest first). TLS 1.3's suites are all of that kind.
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers {ciphers};
    ssl_prefer_server_ciphers off;
    location / {{
      proxy_pass http://lpse;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


# The TLS 1.2 suites allowed, as in the documented block (docs/operations.md).
TLS12_CIPHERS = ":".join(
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    )
)


class ProxiedSite:
    """nginx (http and https) → ``lpse serve`` (one worker) with its own data folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.app_port, self.http_port, self.https_port = free_port(), free_port(), free_port()
        self.processes: list[subprocess.Popen] = []
        self.cert: Path | None = None
        self.env: dict[str, str] = {}

    @property
    def https(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def http(self) -> str:
        return f"http://localhost:{self.http_port}"

    def start(self) -> ProxiedSite:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed: apt-get install nginx")
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "data"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self.cert, key = make_certificate(self.folder)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("LPSE_", "DATABASE_URL"))},
            "LPSE_DATA_DIR": str(self.folder / "data"),
            "LPSE_HTTPS": "true",
            "LPSE_PROXY_COUNT": "1",
            "LPSE_BASE_URL": self.https,
            "LPSE_BIND": f"127.0.0.1:{self.app_port}",
            "LPSE_WORKERS": "1",
            "ALLOWED_HOSTS": "localhost",
            "SECRET_KEY": "tls-proxy-test-" + "x" * 40,
            "DJANGO_SETTINGS_MODULE": "lpse.settings",
        }
        self.env = env
        app_log = self.folder / "app.log"
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "lpse", "serve"],
                env=env,
                stdout=app_log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        _wait_for_port(self.app_port, self.processes[-1], "lpse serve", app_log)
        conf = self.folder / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                folder=self.folder,
                app_port=self.app_port,
                http_port=self.http_port,
                https_port=self.https_port,
                cert=self.cert,
                key=key,
                ciphers=TLS12_CIPHERS,
            )
        )
        nginx_log = self.folder / "nginx-error.log"
        nginx_log.touch()
        self.processes.append(
            subprocess.Popen(
                [binary, "-c", str(conf), "-p", str(self.folder)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        _wait_for_port(self.https_port, self.processes[-1], "nginx", nginx_log)
        return self

    def manage(self, *args: str, stdin: str = "") -> str:
        """A management command against the proxied site's own database and settings."""
        done = subprocess.run(
            [sys.executable, "-m", "lpse", *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"lpse {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def stop(self) -> None:
        """Each was started in its own process group: the server's scheduler and workers go
        with it."""
        for process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.processes.clear()
