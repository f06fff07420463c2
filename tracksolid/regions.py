"""The vendor's regional nodes; an app key works only on its own node (field notes)."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["REGIONS", "base_url_for", "resolve_base_url"]

REGIONS: dict[str, str] = {
    "hk": "https://hk-open.tracksolidpro.com/route/rest",
    "eu": "https://eu-open.tracksolidpro.com/route/rest",
    "us": "https://us-open.tracksolidpro.com/route/rest",
    "cn": "https://open.tracksolidpro.com/route/rest",
    # The old TrackSolid platform: plain HTTP only.
    "legacy": "http://open.10000track.com/route/rest",
}


def base_url_for(region: str) -> str:
    """The ``/route/rest`` URL of a named node; ``ValueError`` names the known ones."""
    try:
        return REGIONS[region.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(REGIONS))
        raise ValueError(f"unknown Tracksolid region {region!r}; known: {known}") from None


def resolve_base_url(*, base_url: str | None = None, region: str | None = None) -> str:
    """Pick the URL from exactly one of a custom ``base_url`` (e.g. the simulator) or a region."""
    if base_url and region:
        raise ValueError("give either base_url or region, not both")
    if region:
        return base_url_for(region)
    if not base_url:
        raise ValueError("a base_url or a region is required")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {base_url!r}")
    return base_url.rstrip("/")
