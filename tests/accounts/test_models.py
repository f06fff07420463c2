from django.db import connection

from accounts.models import TracksolidAccount


def _stored(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        table = "accounts_tracksolidaccount"
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_the_app_secret_is_not_readable_in_the_database(world):
    stored = _stored("app_secret", world.account.pk)
    assert "acme-secret-value" not in stored
    assert stored.startswith("enc1:")


def test_the_password_md5_and_tokens_are_encrypted_at_rest(world):
    world.account.access_token = "tok-123456789"
    world.account.save()
    assert "tok-123456789" not in _stored("access_token", world.account.pk)
    assert world.account.password_md5 not in _stored("password_md5", world.account.pk)


def test_secrets_read_back_as_plain_text(world):
    account = TracksolidAccount.objects.get(pk=world.account.pk)
    assert account.app_secret == "acme-secret-value"


def test_each_account_gets_an_unguessable_push_key_and_token(world):
    second = TracksolidAccount.objects.create(
        organisation=world.acme,
        name="Second",
        app_key="k",
        app_secret="s",
        user_id="u",
        password_md5="0" * 32,
    )
    assert len(second.push_key) >= 32 and second.push_key != world.account.push_key
    assert len(second.push_token) >= 32
    assert second.push_url("https://fleet.example.com/") == (
        f"https://fleet.example.com/push/{second.push_key}"
    )


def test_the_region_names_the_base_url(world):
    assert world.account.api_base_url == "https://hk-open.tracksolidpro.com/route/rest"
    world.account.region = "custom"
    world.account.base_url = "http://127.0.0.1:8765/route/rest"
    assert world.account.api_base_url == "http://127.0.0.1:8765/route/rest"


def test_the_target_defaults_to_the_login(world):
    assert world.account.target == "acme"
    world.account.target_account = "acme-sub"
    assert world.account.target == "acme-sub"
