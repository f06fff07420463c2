from accounts.models import TracksolidAccount
from fleet.models import Device, DeviceGroup


def test_a_user_sees_only_their_organisations_devices(world):
    visible = set(Device.objects.for_user(world.dispatcher).values_list("imei", flat=True))
    assert visible == {device.imei for device in world.devices}


def test_a_user_of_another_organisation_cannot_see_acme_devices(world):
    visible = list(Device.objects.for_user(world.outsider))
    assert visible == [world.other_device]


def test_groups_and_accounts_are_scoped_the_same_way(world):
    assert not DeviceGroup.objects.for_user(world.outsider).exists()
    assert not TracksolidAccount.objects.for_user(world.outsider).exists()
    assert list(TracksolidAccount.objects.for_user(world.admin)) == [world.account]


def test_an_anonymous_user_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Device.objects.for_user(AnonymousUser()).exists()


def test_a_superuser_sees_every_organisation(world):
    world.outsider.is_superuser = True
    world.outsider.save()
    assert Device.objects.for_user(world.outsider).count() == 4
