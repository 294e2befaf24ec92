"""Where ICML files live: every configured file name is confined to the catalog folder.

The file name comes from the settings (and per shop, B8), which a settings file or a shop code
from the CRM can fill in; the anonymous feed URL serves what it names. So a name is resolved
inside ``catalog_dir()`` and refused when it would leave it — an absolute path, ``..``, a NUL,
or a symlink pointing elsewhere — at every place that reads or writes it, not only in the form.
"""

from pathlib import Path, PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

DEFAULT_FILE_NAME = "catalog_icml.xml"


class UnsafeCatalogPath(ValueError):
    """A configured catalog file name that would leave the catalog folder.

    It carries its message as an id and parameters (``msgid``/``params``): a run that stores the
    error keeps them (``integration.exchange.messages.of_exception``), so each reader sees it in
    their language; ``str()`` translates for whoever is reading now.
    """

    def __init__(self, msgid: str, **params):
        super().__init__(msgid % params)
        self.msgid, self.params = msgid, params

    def __str__(self):
        return gettext(self.msgid) % self.params


def catalog_dir() -> Path:
    return Path(getattr(settings, "ICML_DIR", None) or Path(settings.VAR_DIR) / "icml")


def _refuse(configured: str) -> UnsafeCatalogPath:
    # Stored, not translated: a catalog run's error is read later, in the reader's language.
    return UnsafeCatalogPath(gettext_noop(
        "The catalog file “%(name)s” is not allowed: give a file name inside the catalog folder, such as "
        "catalog_icml.xml (no absolute path, no “..”)."), name=configured.replace("\x00", "\\0")[:100])


def resolve_path(configured: str) -> Path:
    """The file ``configured`` names inside catalog_dir(); raises UnsafeCatalogPath if it would leave it."""
    configured = configured or DEFAULT_FILE_NAME
    if "\x00" in configured or "\\" in configured or configured.startswith("~"):
        raise _refuse(configured)
    relative = PurePosixPath(configured)
    if relative.is_absolute() or PureWindowsPath(configured).drive or ".." in relative.parts:
        raise _refuse(configured)
    base = catalog_dir().resolve()
    # resolve() follows symlinks already present (the file itself or a folder on the way).
    target = (base / relative).resolve()
    if target == base or not target.is_relative_to(base):
        raise _refuse(configured)
    return target


def validate_catalog_file_name(value: str) -> None:
    """Model field validator: the form, the settings file and the admin refuse what resolve_path refuses."""
    try:
        resolve_path(value)
    except UnsafeCatalogPath as exc:
        raise ValidationError(str(exc), code="unsafe_catalog_path") from None
