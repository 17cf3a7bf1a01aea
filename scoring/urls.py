from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("kpi/", views.my_kpi, name="my_kpi"),
    path("scoring/schemes/", views.scheme_current, name="scheme_current"),
    path("scoring/schemes/<int:year>/", views.scheme_edit, name="scheme_edit"),
    path("scoring/years/", views.year_list, name="year_list"),
    path("scoring/years/<int:year>/close/", views.year_close, name="year_close"),
    path("scoring/years/<int:year>/reopen/", views.year_reopen, name="year_reopen"),
    path("scoring/years/<int:year>/recompute/", views.year_recompute, name="year_recompute"),
    path("reports/kpi/", views.kpi_report, name="kpi_report"),
    path("reports/kpi/statement/<path:staff_id>/", views.kpi_statement, name="kpi_statement"),
]
