# SPDX-License-Identifier: AGPL-3.0-or-later
"""The environment readers behind settings.py: a bad value stops start-up with
a message that names the variable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from openiop.config.env import database, env_bool, env_int, env_list, env_str, secret_key

NAME = "OPENIOP_TEST_SETTING"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (NAME, f"{NAME}_FILE", "SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL", "DATABASE_URL_FILE"):
        monkeypatch.delenv(name, raising=False)


# --- env_str ----------------------------------------------------------------------------


def test_it_reads_a_string_or_falls_back_to_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_str(NAME) is None
    assert env_str(NAME, "fallback") == "fallback"
    monkeypatch.setenv(NAME, "value")
    assert env_str(NAME, "fallback") == "value"


def test_it_reads_a_secret_from_the_file_named_by_the_file_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-the-file\n", encoding="utf-8")
    monkeypatch.setenv(NAME, "from-the-environment")
    monkeypatch.setenv(f"{NAME}_FILE", str(secret))

    # The file wins and loses its trailing newline, as written by most tools.
    assert env_str(NAME) == "from-the-file"


def test_it_names_the_file_variable_when_the_file_cannot_be_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(f"{NAME}_FILE", str(tmp_path / "missing"))

    with pytest.raises(ImproperlyConfigured, match=f"^{NAME}_FILE: cannot read .*missing"):
        env_str(NAME)


def test_it_refuses_a_directory_as_a_secret_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(f"{NAME}_FILE", str(tmp_path))

    with pytest.raises(ImproperlyConfigured, match=f"^{NAME}_FILE"):
        env_str(NAME)


# --- env_bool ---------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "True", "YES", "on", " true "])
def test_it_reads_true_in_its_usual_spellings(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(NAME, raw)

    assert env_bool(NAME, False) is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "no", "off"])
def test_it_reads_false_in_its_usual_spellings(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(NAME, raw)

    assert env_bool(NAME, True) is False


def test_it_uses_the_boolean_default_when_the_variable_is_unset() -> None:
    assert env_bool(NAME, True) is True
    assert env_bool(NAME, False) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "enabled", "tru"])
def test_it_refuses_a_boolean_it_cannot_read(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(NAME, raw)

    with pytest.raises(ImproperlyConfigured, match=f"^{NAME}: expected a boolean.*{raw!r}"):
        env_bool(NAME, True)


# --- env_int ----------------------------------------------------------------------------


def test_it_reads_a_whole_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, " 42 ")

    assert env_int(NAME, 7) == 42


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_it_uses_the_number_default_when_the_variable_is_unset_or_blank(
    monkeypatch: pytest.MonkeyPatch, raw: str | None
) -> None:
    if raw is not None:
        monkeypatch.setenv(NAME, raw)

    assert env_int(NAME, 7) == 7


@pytest.mark.parametrize("raw", ["fifteen", "1.5", "15m", "0x10"])
def test_it_refuses_something_that_is_not_a_whole_number(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(NAME, raw)

    with pytest.raises(ImproperlyConfigured, match=f"^{NAME}: expected a whole number"):
        env_int(NAME, 7)


def test_it_refuses_a_number_below_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, "0")

    with pytest.raises(ImproperlyConfigured, match=f"^{NAME}: must be at least 1, got 0"):
        env_int(NAME, 15, minimum=1)


def test_it_refuses_a_number_above_the_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, "1441")

    with pytest.raises(ImproperlyConfigured, match=f"^{NAME}: must be at most 1440, got 1441"):
        env_int(NAME, 15, minimum=1, maximum=1440)


def test_it_accepts_the_limits_themselves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, "1")
    assert env_int(NAME, 15, minimum=1, maximum=1440) == 1
    monkeypatch.setenv(NAME, "1440")
    assert env_int(NAME, 15, minimum=1, maximum=1440) == 1440


# --- env_list ---------------------------------------------------------------------------


def test_it_splits_a_list_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAME, " iop.example.org, ,localhost,")

    assert env_list(NAME, ["default"]) == ["iop.example.org", "localhost"]


def test_it_uses_the_list_default_only_when_the_variable_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_list(NAME, ["default"]) == ["default"]
    # Set but empty is a deliberate "none at all".
    monkeypatch.setenv(NAME, "")
    assert env_list(NAME, ["default"]) == []


# --- secret_key -------------------------------------------------------------------------


def test_it_generates_a_secret_key_once_into_the_var_directory(tmp_path: Path) -> None:
    var_dir = tmp_path / "not" / "there" / "yet"

    first = secret_key(var_dir)
    second = secret_key(var_dir)

    assert len(first) >= 50
    assert first == second
    key_file = var_dir / "secret_key"
    assert key_file.read_text(encoding="utf-8") == first
    # Readable by the service's own user only.
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_it_generates_a_different_key_on_another_machine(tmp_path: Path) -> None:
    assert secret_key(tmp_path / "one") != secret_key(tmp_path / "two")


def test_it_prefers_a_configured_secret_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRET_KEY", "k" * 50)

    assert secret_key(tmp_path) == "k" * 50
    assert not (tmp_path / "secret_key").exists()


def test_it_reads_the_secret_key_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "mounted-secret"
    key_file.write_text("f" * 64 + "\n", encoding="utf-8")
    monkeypatch.setenv("SECRET_KEY_FILE", str(key_file))

    assert secret_key(tmp_path / "var") == "f" * 64


@pytest.mark.parametrize("key", ["", "short", "k" * 49])
def test_it_refuses_a_secret_key_shorter_than_50_characters(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, key: str
) -> None:
    monkeypatch.setenv("SECRET_KEY", key)

    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY: must be at least 50 characters"):
        secret_key(tmp_path)


def test_it_refuses_a_short_secret_key_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "mounted-secret"
    key_file.write_text("too-short", encoding="utf-8")
    monkeypatch.setenv("SECRET_KEY_FILE", str(key_file))

    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY: must be at least 50 characters"):
        secret_key(tmp_path / "var")


# --- database ---------------------------------------------------------------------------


def test_it_uses_sqlite_under_var_when_no_database_url_is_set(tmp_path: Path) -> None:
    path = tmp_path / "var" / "openiop.sqlite3"

    config = database(path)

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(path)
    assert path.parent.is_dir()


def test_it_reads_a_postgresql_database_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://openiop:pw@db.internal:5433/openiop")

    config = database(tmp_path / "unused.sqlite3")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["HOST"] == "db.internal"
    assert config["PORT"] == 5433
    assert config["NAME"] == config["USER"] == "openiop"
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_it_reads_a_sqlite_database_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite3")

    config = database(tmp_path / "unused.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == f"{tmp_path}/other.sqlite3"


def test_it_reads_the_database_url_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url_file = tmp_path / "database-url"
    url_file.write_text("postgres://openiop:pw@db.internal/openiop\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL_FILE", str(url_file))

    assert database(tmp_path / "unused.sqlite3")["HOST"] == "db.internal"


@pytest.mark.parametrize("url", ["mysql://openiop:hunter2@db/openiop", "oracle://openiop:hunter2@db/openiop"])
def test_it_refuses_a_database_django_supports_but_openiop_does_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)

    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL: only postgres:// and sqlite://") as refused:
        database(tmp_path / "unused.sqlite3")

    assert url.split(":", 1)[0] in str(refused.value)
    # The message ends up in logs: it must not carry the password.
    assert "hunter2" not in str(refused.value)


def test_it_refuses_an_unknown_database_url_scheme(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "mongodb://openiop:hunter2@db/openiop")

    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL: ") as refused:
        database(tmp_path / "unused.sqlite3")

    assert "hunter2" not in str(refused.value)
