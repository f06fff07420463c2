import pytest
from django.urls import reverse

from accounts.models import Organisation, TracksolidAccount, User
from fleet.models import Device, DeviceGroup
from tracksolid.signing import md5_hex


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", "pw-root-123")


@pytest.mark.parametrize(
    "model",
    [User, Organisation, TracksolidAccount, Device, DeviceGroup],
    ids=lambda model: model.__name__,
)
def test_every_admin_list_and_add_page_renders(client, world, superuser, model):
    client.force_login(superuser)
    opts = model._meta
    assert (
        client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code
        == 200
    )
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200


def test_an_admin_creates_an_account_with_a_typed_password_and_only_the_md5_is_kept(
    client, world, superuser
):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_tracksolidaccount_add"),
        {
            "organisation": world.acme.pk,
            "name": "Acme EU",
            "region": "eu",
            "mileage_unit": "m",
            "app_key": "eu-key",
            "app_secret_input": "eu-secret-000",
            "user_id": "acme-eu",
            "password_input": "typed password",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    account = TracksolidAccount.objects.get(name="Acme EU")
    assert account.password_md5 == md5_hex("typed password")
    assert account.app_secret == "eu-secret-000"


def test_the_change_page_shows_the_push_url_and_masks_the_secret(client, world, superuser):
    client.force_login(superuser)
    url = reverse("admin:accounts_tracksolidaccount_change", args=[world.account.pk])
    page = client.get(url).content.decode()
    assert f"/push/{world.account.push_key}" in page
    assert world.account.push_token in page
    assert "acme-secret-value" not in page
    assert "••••alue" in page


def test_saving_without_retyping_secrets_keeps_them(client, world, superuser):
    client.force_login(superuser)
    url = reverse("admin:accounts_tracksolidaccount_change", args=[world.account.pk])
    response = client.post(
        url,
        {
            "organisation": world.acme.pk,
            "name": "Acme HK renamed",
            "region": "hk",
            "mileage_unit": "m",
            "app_key": "acme-key",
            "user_id": "acme",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    account = TracksolidAccount.objects.get(pk=world.account.pk)
    assert account.name == "Acme HK renamed"
    assert account.app_secret == "acme-secret-value"
    assert account.password_md5 == md5_hex("acme-pass")


def test_a_custom_region_without_a_base_url_is_refused(client, world, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_tracksolidaccount_add"),
        {
            "organisation": world.acme.pk,
            "name": "Broken",
            "region": "custom",
            "mileage_unit": "m",
            "app_key": "k",
            "app_secret_input": "s",
            "user_id": "u",
            "password_input": "p",
        },
    )
    assert response.status_code == 200
    assert "A custom region needs its base URL." in response.content.decode()


def test_the_check_credentials_action_gets_a_token_from_the_simulator(
    client, superuser, sim_account
):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_tracksolidaccount_changelist"),
        {"action": "check_credentials", "_selected_action": [sim_account.pk]},
        follow=True,
    )
    assert "credentials work" in response.content.decode()
    sim_account.refresh_from_db()
    assert sim_account.access_token


def test_the_check_credentials_action_explains_a_wrong_secret(client, superuser, sim_account):
    sim_account.app_secret = "wrong-secret"
    sim_account.save()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_tracksolidaccount_changelist"),
        {"action": "check_credentials", "_selected_action": [sim_account.pk]},
        follow=True,
    )
    assert "check the app key and app secret" in response.content.decode()


def test_the_sync_now_action_queues_one_sync_per_account(
    client, world, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("admin:accounts_tracksolidaccount_changelist"),
            {"action": "sync_devices_now", "_selected_action": [world.account.pk]},
            follow=True,
        )
    assert "Device sync queued for 1 account(s)." in response.content.decode()
    assert len(callbacks) == 1


def test_the_catch_up_action_queues_a_history_import(
    client, world, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("admin:accounts_tracksolidaccount_changelist"),
            {"action": "catch_up_now", "_selected_action": [world.account.pk]},
            follow=True,
        )
    assert "History import queued for 1 account(s)." in response.content.decode()
    assert len(callbacks) == 1
