from django.urls import path

from lpse.accounts import views, views_lifecycle, views_overview, views_sessions

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.login_view, name="login"),
    path("keluar/", views.logout_view, name="logout"),
    path("", views.home, name="home"),
    path("2fa/", views.otp, name="otp"),
    path("konfirmasi-sandi/", views.reauth, name="reauth"),
    path("email/", views.email_change, name="email_change"),
    path("sandi/lupa/", views.password_forgot, name="password_forgot"),
    path("sandi/atur/<str:token>/", views.set_password, name="set_password"),
    path("pengguna/", views.staff_list, name="staff_list"),
    path("pengguna/baru/", views.staff_create, name="staff_create"),
    path("akun-pengguna/", views_lifecycle.account_list, name="account_list"),
    path("akun-pengguna/<int:pk>/", views_lifecycle.account_detail, name="account_detail"),
    path(
        "akun-pengguna/<int:pk>/nonaktifkan/",
        views_lifecycle.account_deactivate,
        name="account_deactivate",
    ),
    path(
        "akun-pengguna/<int:pk>/aktifkan/",
        views_lifecycle.account_reactivate,
        name="account_reactivate",
    ),
    path(
        "akun-pengguna/<int:pk>/peran/beri/",
        views_lifecycle.account_role_grant,
        name="account_role_grant",
    ),
    path(
        "akun-pengguna/<int:pk>/peran/cabut/",
        views_lifecycle.account_role_revoke,
        name="account_role_revoke",
    ),
    path(
        "akun-pengguna/<int:pk>/sesi/akhiri/",
        views_lifecycle.account_sessions_end,
        name="account_sessions_end",
    ),
    path(
        "akun-pengguna/<int:pk>/faktor-kedua/periksa/",
        views_lifecycle.second_factor_reset_check,
        name="second_factor_reset_check",
    ),
    path(
        "akun-pengguna/<int:pk>/faktor-kedua/terapkan/",
        views_lifecycle.second_factor_reset_apply,
        name="second_factor_reset_apply",
    ),
    path(
        "akun-pengguna/<int:pk>/faktor-kedua/batalkan/",
        views_lifecycle.second_factor_reset_cancel,
        name="second_factor_reset_cancel",
    ),
    path("sesi/", views_sessions.my_sessions, name="my_sessions"),
    path("sandi/ubah/", views_sessions.password_change_view, name="password_change"),
    path("status-sistem/", views_overview.system_status, name="system_status"),
    path("skpd/", views.agencies, name="agencies"),
    path("jam-login/", views.login_windows, name="login_windows"),
    path("jam-login/<int:pk>/hapus/", views.login_window_delete, name="login_window_delete"),
]
