"""POST /sandbox/icml: load an ICML feed into a shop's catalog, as the CRM does with the shop's ymlUrl.

Body: ``{"url": "http://…/feed.xml"}`` (downloaded with urllib; the shop's ``ymlUrl`` is set to
it) or ``{"xml": "<yml_catalog…>"}``; optional ``"site"`` (default: the first shop).
"""

import io
import urllib.error
import urllib.request

from ..domain import catalog, icml
from ..web import known

DOWNLOAD_TIMEOUT = 60


def load_icml(app, data, query):
    site = data.get("site") or catalog.default_site(app.state)
    if not known(app.state.refs["sites"], site):
        raise ValueError(f"unknown site {site!r}")
    if bool(data.get("url")) == bool(data.get("xml")):
        raise ValueError('give exactly one of "url" (the feed address) or "xml" (the document)')
    if data.get("url"):
        try:
            with urllib.request.urlopen(data["url"], timeout=DOWNLOAD_TIMEOUT) as response:
                counts, errors = icml.load(app.state, response, site)
        except urllib.error.HTTPError as exc:
            raise ValueError(f"downloading the ICML failed: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ValueError(f"downloading the ICML failed: {exc}") from None
        app.state.refs["sites"][site].update({"ymlUrl": data["url"], "loadFromYml": True})
    else:
        counts, errors = icml.load(app.state, io.BytesIO(icml.document_bytes(str(data["xml"]))), site)
    app.state.refs["sites"][site]["catalogUpdatedAt"] = app.state.clock()
    return {"success": True, "site": site, **counts, "errors": errors}


ROUTES = [("icml", {"POST": (None, load_icml)})]
