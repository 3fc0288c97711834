from django.urls import path

from playbooks import views

app_name = "playbooks"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("methodology/", views.portal, name="portal"),
]
