"""Push URLs: one base per Tracksolid account, every push endpoint under it."""

from django.urls import path

from telemetry import push_views

urlpatterns = [
    path("push/<str:push_key>", push_views.push, name="push-base"),
    path("push/<str:push_key>/", push_views.push),
    path("push/<str:push_key>/<str:endpoint>", push_views.push, name="push"),
    path("push/<str:push_key>/<str:endpoint>/", push_views.push),
]
