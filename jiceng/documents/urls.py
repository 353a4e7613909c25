from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("documents/", views.inbox, name="inbox"),
    path("documents/issued/", views.issued, name="issued"),
    path("documents/new/", views.issue, name="issue"),
    path("documents/<int:pk>/", views.detail, name="detail"),
    path("documents/<int:pk>/correct/", views.correct, name="correct"),
    path("documents/<int:pk>/chase/", views.chase, name="chase"),
    path("documents/receipts/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("documents/receipts/<int:pk>/forward/", views.forward, name="forward"),
    path("documents/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("units/<int:pk>/documents/", views.unit_documents, name="unit_documents"),
]
