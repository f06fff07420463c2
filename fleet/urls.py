"""The project's URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from fleet import health, views

admin.site.site_header = "Fleet administration"
admin.site.site_title = "Fleet admin"
admin.site.index_title = "Organisations, accounts and devices"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
