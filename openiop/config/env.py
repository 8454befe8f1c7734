# SPDX-License-Identifier: AGPL-3.0-or-later
"""Small readers for environment variables that fail loudly.

Every setting that comes from the environment goes through one of these, so a
bad value stops start-up with a message naming the variable instead of
surfacing later as a confusing error.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str | None:
    """Return NAME, or the contents of the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name!r} ({exc.strerror})") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    # Set-but-empty means "not set": an empty OPENIOP_REQUIRE_MFA= must never
    # quietly switch a security default off.
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected a boolean (true/false, 1/0, yes/no), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}: must be at most {maximum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[str]:
    """A comma-separated list of IP addresses or networks (CIDR), e.g.
    ``10.0.0.5,192.168.1.0/24``, normalised; a bad entry stops start-up."""
    entries = env_list(name, default)
    networks = []
    for entry in entries:
        try:
            networks.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not an IP address or network") from None
    return networks


def csp_sources_for_url_template(name: str, template: str) -> list[str]:
    """The Content-Security-Policy source for a URL template such as
    ``https://{s}.tile.example.org/{z}/{x}/{y}.png``: its origin, with a
    leading ``{s}.`` subdomain as a wildcard (any other placeholder in the
    host widens it to the scheme alone). Empty for an empty template."""
    if not template:
        return []
    parts = urlsplit(template)
    if not parts.scheme and not parts.netloc and template.startswith("/"):
        return []  # tiles served by this site: 'self' covers them
    host = parts.netloc.rsplit("@", 1)[-1]
    if parts.scheme not in {"http", "https"} or not host:
        raise ImproperlyConfigured(f"{name}: expected an http:// or https:// URL, got {template!r}")
    if host.startswith("{s}."):
        host = "*." + host[len("{s}.") :]
    if "{" in host or "}" in host:
        return [f"{parts.scheme}:"]
    return [f"{parts.scheme}://{host}"]


def secret_key(var_dir: Path) -> str:
    """SECRET_KEY or SECRET_KEY_FILE, else a key generated once into var/.

    The generated key never leaves the machine (var/ is ignored by git), so a
    fresh checkout runs without anyone inventing a key by hand.
    """
    configured = env_str("SECRET_KEY")
    if configured is not None:
        if len(configured) < 50:
            raise ImproperlyConfigured("SECRET_KEY: must be at least 50 characters long")
        return configured
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


def database(default_sqlite_path: Path) -> dict[str, object]:
    """DATABASE_URL (postgres:// or sqlite://) or SQLite under var/."""
    import dj_database_url

    url = env_str("DATABASE_URL")
    if not url:
        default_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, object] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_sqlite_path),
            # A short write lock wait plus IMMEDIATE transactions keeps the demo's web
            # server and worker from tripping over each other on SQLite.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
        return config
    try:
        parsed = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from exc
    engine = str(parsed.get("ENGINE", ""))
    if engine not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL: only postgres:// and sqlite:// are supported, got {url.split(':', 1)[0]!r}"
        )
    return parsed
