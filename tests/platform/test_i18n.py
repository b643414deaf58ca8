"""Languages: Romanian by default, Russian and English on request; complete catalogues."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from sgsc.tenants.models import Tenant
from tests.conftest import Tenants

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED = ("ru", "en")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(autouse=True)
def _default_language_after_test() -> Iterator[None]:
    """A request activates its language in this thread; later tests start from the default."""
    yield
    translation.deactivate()


def _choose_language(client: Client, language: str, next_url: str = "/autentificare/") -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


def test_login_page_is_romanian_by_default(db: None, public_client: Client) -> None:
    html = public_client.get("/autentificare/").content.decode()
    assert '<html lang="ro">' in html
    assert "<h1>Autentificare</h1>" in html
    assert "Adresa de e-mail" in html


@pytest.mark.parametrize(("language", "texts"), [
    ("ru", ["<h1>Вход в систему</h1>", "Адрес эл. почты", "Пароль", "Войти",
            "Консоль платформы SGSC", "Республика Молдова"]),
    ("en", ["<h1>Sign in</h1>", "E-mail address", "Password", "Government Customer Support",
            "SGSC platform console", "Republic of Moldova"]),
])
def test_language_switch_on_public_host(db: None, public_client: Client, language: str,
                                        texts: list[str]) -> None:
    _choose_language(public_client, language)
    html = public_client.get("/autentificare/").content.decode()
    assert f'<html lang="{language}">' in html
    for text in texts:
        assert text in html
    assert "Autentificare" not in html
    assert f'<option value="{language}" selected>' in html


def test_language_switch_on_tenant_host(client_for: Callable[[Tenant | None], Client],
                                        tenants: Tenants) -> None:
    client = client_for(tenants.prov_a)
    _choose_language(client, "ru")
    html = client.get("/autentificare/").content.decode()
    assert "<h1>Вход в систему</h1>" in html
    assert tenants.prov_a.name in html


def test_choice_stays_per_client(db: None, public_client: Client,
                                 client_for: Callable[[Tenant | None], Client]) -> None:
    _choose_language(public_client, "en")
    other = client_for(None).get("/autentificare/").content.decode()
    assert "<h1>Autentificare</h1>" in other


def test_romanian_first_whatever_the_browser_asks(db: None) -> None:
    client = Client(HTTP_HOST=settings.PUBLIC_HOST, HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    assert "<h1>Autentificare</h1>" in client.get("/autentificare/").content.decode()


def test_signed_in_person_gets_their_preferred_language(signed_in, tenants) -> None:  # type: ignore[no-untyped-def]
    client, user = signed_in("l1_operator", tenants.prov_a)
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    assert "Welcome" in client.get("/").content.decode()
    _choose_language(client, "ru", next_url="/")
    assert "<html lang=\"ru\">" in client.get("/").content.decode()


def test_api_errors_follow_the_language(db: None, public_client: Client) -> None:
    assert public_client.get("/api/v1/me/").json()["error"]["message"] == (
        "Autentificarea este necesară.")
    _choose_language(public_client, "en", next_url="/")
    assert public_client.get("/api/v1/me/").json()["error"]["message"] == (
        "Authentication is required.")


def test_error_pages_are_translated(db: None, public_client: Client) -> None:
    _choose_language(public_client, "ru", next_url="/")
    response = public_client.get("/nu-exista/")
    assert response.status_code == 404
    assert "Запрашиваемая страница не существует." in response.content.decode()


# The catalogues -------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstrs: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def parse_po(path: Path) -> list[Entry]:
    """Enough of the PO format for the catalogues makemessages writes."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, target
        if current.msgstrs or current.msgid:
            entries.append(current)
        current, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):  # obsolete entries are not used
            if current.msgstrs:
                finish()
            continue
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if current.msgstrs:
                finish()
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            if current.msgstrs:
                finish()
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            rest, keyword = line, ""
        elif keyword == "msgid" and current.msgstrs:
            finish()
        if keyword == "msgid":
            target = ("msgid", 0)
        elif keyword == "msgid_plural":
            target = ("msgid_plural", 0)
        elif keyword == "msgstr":
            target = ("msgstr", 0)
        elif keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[7:-1]))
        assert target is not None, f"{path}: unexpected line {raw!r}"
        text = ast.literal_eval(rest)
        if target[0] == "msgid":
            current.msgid += text
        elif target[0] == "msgid_plural":
            current.msgid_plural += text
        else:
            current.msgstrs[target[1]] = current.msgstrs.get(target[1], "") + text
    finish()
    return entries


def _catalogue(language: str) -> list[Entry]:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    assert path.is_file(), f"missing {path}"
    return parse_po(path)


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete(language: str) -> None:
    entries = _catalogue(language)
    header = [entry for entry in entries if entry.msgid == ""]
    assert len(header) == 1
    assert "fuzzy" not in header[0].flags
    assert f"Language: {language}\n" in header[0].msgstrs[0]
    messages = [entry for entry in entries if entry.msgid]
    assert len(messages) > 100
    problems = []
    for entry in messages:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if not entry.msgstrs or not all(entry.msgstrs.values()):
            problems.append(f"untranslated: {entry.msgid!r}")
        # A plural form may show the count that the singular source leaves out (Russian's
        # "one" form also serves 21, 31, ...).
        allowed = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
        for translated in entry.msgstrs.values():
            if not (set(PLACEHOLDER.findall(entry.msgid))
                    <= set(PLACEHOLDER.findall(translated)) <= allowed):
                problems.append(f"placeholders differ: {entry.msgid!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED)
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    """The .mo is committed (no gettext at run time) and must be compiled from the .po."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in _catalogue(language):
        if entry.msgid and not entry.msgid_plural:
            assert compiled.gettext(entry.msgid) == entry.msgstrs[0], entry.msgid
