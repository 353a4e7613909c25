from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("units/<int:pk>/dues/", views.unit_dues, name="unit_dues"),
    path("units/<int:pk>/dues/arrears/", views.arrears, name="arrears"),
    path("units/<int:pk>/dues/standards/", views.standards_edit, name="standards_edit"),
    path("members/<int:member_pk>/payments/new/", views.payment_create, name="payment_create"),
    path("payments/<int:pk>/", views.payment_detail, name="payment_detail"),
    path("payments/<int:pk>/void/", views.payment_void, name="payment_void"),
]
