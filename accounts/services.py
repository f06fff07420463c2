"""Tracksolid accounts: the one place a vendor client is built, and connecting an account."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Region, TracksolidAccount
from accounts.token_store import AccountTokenStore
from tracksolid.client import TracksolidClient
from tracksolid.errors import (
    IllegalUserOrDevice,
    InvalidResponse,
    ParameterError,
    RateLimited,
    TracksolidError,
    TracksolidUnavailable,
)
from tracksolid.regions import resolve_base_url
from tracksolid.signing import md5_hex

# Changing any of these makes the stored token someone else's: it is dropped.
_CREDENTIAL_FIELDS = ("region", "base_url", "app_key", "app_secret", "user_id", "password_md5")


class AccountConnectionError(Exception):
    """The credentials could not be checked; the message says what to fix."""

    def __init__(self, message: str, *, account: TracksolidAccount | None = None) -> None:
        super().__init__(message)
        self.account = account


def client_for(account: TracksolidAccount, **options: Any) -> TracksolidClient:
    """A client for ``account`` whose token lives on the account row (shared by all processes).

    ``options`` are passed to ``TracksolidClient`` (tests shorten the 1006 back-off with them).
    """
    return TracksolidClient(
        account.app_key,
        account.app_secret,
        account.user_id,
        account.password_md5,
        base_url=account.api_base_url,
        target=account.target,
        token_store=AccountTokenStore(account.pk),
        instruct_url=account.instruct_url or None,
        mileage_unit=account.mileage_unit,
        **options,
    )


@contextmanager
def vendor_client(
    account: TracksolidAccount, client: TracksolidClient | None = None
) -> Iterator[TracksolidClient]:
    """``client`` when the caller has one (tests, a task reusing its own), else a new client for
    ``account`` that is closed afterwards."""
    if client is not None:
        yield client
        return
    with client_for(account) as own:
        yield own


def explain_error(error: TracksolidError, *, base_url: str) -> str:
    """A sentence an operator can act on, for a failed credentials check."""
    if isinstance(error, IllegalUserOrDevice):
        return f"Tracksolid refused the login: check the user id and password ({error})."
    if isinstance(error, ParameterError) and "appkey" in error.message.lower():
        return (
            f"The app key is not valid on {base_url}: an app key works only on its own regional "
            f"node, check the region ({error})."
        )
    if isinstance(error, ParameterError):
        return (
            f"Tracksolid refused the request: check the app key and app secret (a wrong secret "
            f"makes a bad signature) ({error})."
        )
    if isinstance(error, InvalidResponse):
        return f"{base_url} did not answer like a Tracksolid node (wrong region or URL?): {error}."
    if isinstance(error, TracksolidUnavailable):
        return f"Cannot reach {base_url}: {error}."
    if isinstance(error, RateLimited):
        return f"Tracksolid asks us to slow down; try again in a minute ({error})."
    return f"Tracksolid answered an error: {error}."


def _base_url(region: str | None, base_url: str | None) -> tuple[str, str]:
    """(region, base_url) for the model: exactly one of a named region or a custom URL."""
    if bool(region) == bool(base_url):
        raise AccountConnectionError("Give either a region or a base URL (exactly one of them).")
    if base_url:
        try:
            return Region.CUSTOM, resolve_base_url(base_url=base_url)
        except ValueError as exc:
            raise AccountConnectionError(f"The base URL is not usable: {exc}.") from None
    name = str(region).strip().lower()
    if name not in Region.values or name == Region.CUSTOM:
        known = ", ".join(v for v in Region.values if v != Region.CUSTOM)
        raise AccountConnectionError(f"Unknown region {region!r}; known regions: {known}.")
    return name, ""


@transaction.atomic
def _save_account(
    *,
    org_slug: str,
    name: str | None,
    region: str,
    base_url: str,
    app_key: str,
    app_secret: str,
    user_id: str,
    password: str,
    target: str | None,
) -> TracksolidAccount:
    organisation, _ = Organisation.objects.get_or_create(
        slug=org_slug, defaults={"name": org_slug.replace("-", " ").replace("_", " ").title()}
    )
    accounts = TracksolidAccount.objects.filter(organisation=organisation)
    if name:
        account = accounts.filter(name=name).first()
    else:
        account = accounts.filter(app_key=app_key, user_id=user_id).first()
    if account is None:
        account = TracksolidAccount(organisation=organisation, name=name or user_id)
    before = {f: getattr(account, f) for f in _CREDENTIAL_FIELDS} if account.pk else {}
    account.region = region
    account.base_url = base_url
    account.app_key = app_key
    account.app_secret = app_secret
    account.user_id = user_id
    account.password_md5 = md5_hex(password)
    if target is not None:
        account.target_account = target
    account.is_active = True
    if before != {f: getattr(account, f) for f in _CREDENTIAL_FIELDS}:
        account.access_token = ""
        account.refresh_token = ""
        account.token_expires_at = None
        account.token_obtained_at = None
    account.full_clean(exclude=["push_key", "push_token"], validate_unique=False)
    account.save()
    return account


def _check_shared_login(account: TracksolidAccount) -> None:
    """An account that shares a vendor login with an older one uses that one's token (and,
    to renew it, its secret and password): refuse a login whose secrets disagree with it."""
    holder_id = AccountTokenStore(account.pk).holder_id
    if holder_id == account.pk:
        return
    holder = TracksolidAccount.objects.select_related("organisation").get(pk=holder_id)
    if (holder.app_secret, holder.password_md5) != (account.app_secret, account.password_md5):
        raise AccountConnectionError(
            f"This login is already connected as {holder.name!r} of {holder.organisation.slug!r}"
            " with another app secret or password; correct that account first."
        )


def connect_account(
    *,
    org_slug: str,
    app_key: str,
    app_secret: str,
    user_id: str,
    password: str,
    name: str | None = None,
    region: str | None = None,
    base_url: str | None = None,
    target: str | None = None,
    client_options: dict[str, Any] | None = None,
) -> TracksolidAccount:
    """Create or update an organisation's Tracksolid account and check it by getting a token.

    The organisation is created if needed. An account is matched by ``name`` if given, else by
    app key and user id. Changed credentials drop the stored token, so the check really fetches
    one. Accounts sharing a vendor login (one per ``target``) share its token, so their secrets
    must agree. On failure the account keeps ``last_error`` and ``AccountConnectionError`` says
    why.
    """
    region_value, url = _base_url(region, base_url)
    account = _save_account(
        org_slug=org_slug,
        name=name,
        region=region_value,
        base_url=url,
        app_key=app_key,
        app_secret=app_secret,
        user_id=user_id,
        password=password,
        target=target,
    )
    try:
        _check_shared_login(account)
        with client_for(account, **(client_options or {})) as client:
            client.token()
    except (TracksolidError, AccountConnectionError) as exc:
        message = (
            str(exc)
            if isinstance(exc, AccountConnectionError)
            else explain_error(exc, base_url=account.api_base_url)
        )
        account.last_error = message
        account.last_error_at = timezone.now()
        account.save(update_fields=["last_error", "last_error_at", "updated_at"])
        raise AccountConnectionError(message, account=account) from exc
    account.refresh_from_db()
    if account.last_error:
        account.last_error = ""
        account.last_error_at = None
        account.save(update_fields=["last_error", "last_error_at", "updated_at"])
    return account
