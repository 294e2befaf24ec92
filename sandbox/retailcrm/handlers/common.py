"""Site access and identifier helpers used by several resource groups."""

from ..web import ApiError, input_error, known, missing


def visible_sites(app, req):
    sites = list(app.state.refs["sites"])
    return sites if req.sites is None else [s for s in sites if s in req.sites]


def can_see(req, site):
    return req.sites is None or site in req.sites


def explicit_site(app, req, value=None):
    """Validate a `site` parameter if present; returns it or None."""
    site = value if value is not None else req.param("site")
    if site is None:
        return None
    if not known(app.state.refs["sites"], site):
        raise input_error({"site": f'Site with code "{site}" not found.'})
    if not can_see(req, site):
        raise ApiError(403, "Access denied.")
    return site


def required_site(app, req):
    """The shop a request acts on: the `site` parameter, or the key's only shop."""
    site = explicit_site(app, req)
    if site is not None:
        return site
    visible = visible_sites(app, req)
    if len(visible) == 1:
        return visible[0]
    raise missing("site")


def by_param(req):
    by = req.param("by", "externalId")
    if by not in ("id", "externalId"):
        raise input_error({"by": 'The value must be "id" or "externalId".'})
    return by


def lookup_site(app, req, by):
    """Resolving an externalId needs to know the shop on multi-shop keys; an id does not."""
    return required_site(app, req) if by == "externalId" else explicit_site(app, req)


def site_filter(app, req):
    """filter[sites][] restricted to what the key may see (None = no restriction)."""
    wanted = req.filter_list("sites")
    if req.sites is None:
        return wanted or None
    return [s for s in (wanted or req.sites) if s in req.sites]
