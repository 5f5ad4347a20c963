from django.urls import path

from lpse.news import views

app_name = "news"

urlpatterns = [
    path("berita/", views.news_list, name="list"),
    path("berita/<int:pk>/", views.news_detail, name="detail"),
    path("berita/atom.xml", views.feed, name="feed"),
    path("admin-lpse/berita/", views.manage, name="manage"),
    path("admin-lpse/berita/baru/", views.post_create, name="create"),
    path("admin-lpse/berita/<int:pk>/ubah/", views.post_edit, name="edit"),
    path("admin-lpse/berita/<int:pk>/terbitkan/", views.publish, name="publish"),
    path("admin-lpse/berita/<int:pk>/tarik/", views.withdraw, name="withdraw"),
]
