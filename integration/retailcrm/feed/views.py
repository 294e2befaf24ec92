"""C3: the latest ICML file served at a stable, secret address RetailCRM downloads it from.

``/feeds/icml/<token>/<shop>.xml`` — the token is ``CrmSettings.feed_token`` (compared in
constant time), the shop is the CRM shop code of the file (``catalog`` when no default shop
code is set). The file is streamed from disk with ``ETag``/``Last-Modified``, so RetailCRM's
periodic polls cost a 304 while the catalog is unchanged. The URL is never logged by us: the
token is a registered secret, masked wherever our logs or exchange log would show it.
"""

import os
import stat as stat_kinds
from urllib.parse import unquote, urlsplit
from datetime import datetime, timezone as dt_timezone

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, HttpResponseNotFound
from django.utils.cache import get_conditional_response
from django.utils.crypto import constant_time_compare
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from catalog.icml.paths import UnsafeCatalogPath, catalog_dir
from integration.retailcrm.feed.targets import catalog_specs
from integration.models import CrmSettings, CrmSite


def _not_found(message: str) -> HttpResponseNotFound:
    return HttpResponseNotFound(message, content_type="text/plain; charset=utf-8")


@login_not_required
@require_safe
def icml_feed(request, token: str, shop: str):
    if not constant_time_compare(token, CrmSettings.get_solo().feed_token):
        return _not_found(_("Unknown catalog feed address."))
    try:
        specs = catalog_specs(shop)
    except UnsafeCatalogPath:
        specs = None  # a stored name outside the catalog folder (not through the form): serve nothing
    if not specs:
        return _not_found(_("No catalog is configured for the shop “%(shop)s”.") % {"shop": shop})
    handle = _open_generated(specs[0].path)
    if handle is None:
        return _not_found(_("The catalog has not been generated yet: run “Generate catalog” first."))
    # Stat the open file, not the path: a generation finishing meanwhile renames a new file in,
    # and the validators must describe the bytes this response sends.
    stat = os.fstat(handle.fileno())
    response = FileResponse(handle, content_type="application/xml; charset=utf-8")
    response["ETag"] = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = "no-cache"  # RetailCRM (and proxies) must revalidate: 304 is cheap
    conditional = get_conditional_response(
        request, etag=response["ETag"], last_modified=int(stat.st_mtime), response=response)
    if conditional is not response:
        # The 304 replaces it: close the file only (response.close() would signal the end of the request).
        handle.close()
    return conditional


def _open_generated(path):
    """The regular file the generator wrote at ``path`` inside the catalog folder, opened; else None.

    ``path`` is already resolved and confined; checked again here because this URL is anonymous,
    and opened without following a symlink swapped in since."""
    if not os.path.realpath(path).startswith(os.path.join(os.path.realpath(catalog_dir()), "")):
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:  # missing, a symlink, or not readable
        return None
    if not stat_kinds.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return None
    return os.fdopen(descriptor, "rb")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _comparable(url: str) -> tuple:
    """A feed address as RetailCRM and we may each spell it: case of scheme and host, the default
    port, a trailing slash, and this computer's names (localhost, 127.0.0.1, ::1) do not matter."""
    from catalog.fields import is_loopback_host

    parts = urlsplit((url or "").strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if is_loopback_host(host):
        host = "loopback"
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number: compare the address as written
        return (url,)
    return scheme, host, port, unquote(parts.path).rstrip("/"), parts.query


def same_feed_address(crm_url: str, our_url: str) -> bool:
    return bool(crm_url) and _comparable(crm_url) == _comparable(our_url)


def feed_rows(public_url: str) -> list[dict]:
    """For the settings page: each catalog's feed address, its file, and whether the CRM shop's
    ``ymlUrl`` (as of the last reference sync) is that address."""
    from django.urls import reverse

    from integration.retailcrm.feed.targets import feed_slug

    token = CrmSettings.get_solo().feed_token
    yml_urls = dict(CrmSite.objects.values_list("code", "yml_url"))
    rows = []
    for spec in catalog_specs():
        slug = feed_slug(spec)
        url = public_url.rstrip("/") + reverse("icml-feed", kwargs={"token": token, "shop": slug})
        try:
            stat = os.stat(spec.path)
        except FileNotFoundError:
            stat = None
        crm_url = yml_urls.get(spec.shop, "") if spec.shop else ""
        if not spec.shop or spec.shop not in yml_urls:
            crm_state = _("unknown shop: set the shop code and load the references")
        elif not crm_url:
            crm_state = _("not set in RetailCRM: paste this address into the shop's catalog settings")
        elif same_feed_address(crm_url, url):
            crm_state = _("matches the address RetailCRM loads")
        else:
            crm_state = _("differs: RetailCRM loads %(url)s") % {"url": crm_url}
        rows.append({
            "shop": slug, "url": url, "path": spec.path, "crm_state": crm_state, "matches": same_feed_address(crm_url, url),
            "generated_at": datetime.fromtimestamp(stat.st_mtime, tz=dt_timezone.utc) if stat else None,
            "size": stat.st_size if stat else None,
        })
    return rows
