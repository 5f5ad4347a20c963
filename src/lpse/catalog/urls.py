from django.urls import path

from lpse.catalog import views

app_name = "catalog"
urlpatterns = [
    path("admin-lpse/indeks-harga/", views.price_index, name="price_index"),
    path("admin-lpse/indeks-harga/<int:pk>/ubah/", views.price_index_edit, name="price_index_edit"),
]
