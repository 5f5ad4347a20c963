from django.urls import path

from lpse.catalog import views, views_catalogue, views_master

app_name = "catalog"
urlpatterns = [
    path("admin-lpse/indeks-harga/", views.price_index, name="price_index"),
    path("admin-lpse/indeks-harga/<int:pk>/ubah/", views.price_index_edit, name="price_index_edit"),
    path("katalog/", views_catalogue.catalogue_public, name="catalogue"),
    path("admin-lpse/katalog/", views_catalogue.catalogue_admin, name="catalogue_admin"),
    path("admin-lpse/katalog/baru/", views_catalogue.catalogue_item_new, name="catalogue_new"),
    path(
        "admin-lpse/katalog/<int:pk>/ubah/",
        views_catalogue.catalogue_item_edit,
        name="catalogue_edit",
    ),
    path(
        "admin-lpse/katalog/<int:pk>/pensiun/",
        views_catalogue.catalogue_retire,
        name="catalogue_retire",
    ),
]

# One set of pages per kind of master data, under its Indonesian name in the address.
for kind, slug, name in (
    ("fields", "bidang-usaha", "fields"),
    ("sub_fields", "sub-bidang-usaha", "sub_fields"),
    ("categories", "jenis-pengadaan", "categories"),
):
    urlpatterns += [
        path(f"admin-lpse/{slug}/", views_master.master_list, {"kind": kind}, name=name),
        path(
            f"admin-lpse/{slug}/<int:pk>/ubah/",
            views_master.master_rename,
            {"kind": kind},
            name=f"{name}_rename",
        ),
        path(
            f"admin-lpse/{slug}/<int:pk>/pensiun/",
            views_master.master_retire,
            {"kind": kind},
            name=f"{name}_retire",
        ),
        path(
            f"admin-lpse/{slug}/impor/",
            views_master.master_import,
            {"kind": kind},
            name=f"{name}_import",
        ),
    ]
