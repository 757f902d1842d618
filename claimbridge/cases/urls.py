from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("new/", views.case_new, name="new"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/messages/", views.post_message, name="post_message"),
    path("<int:case_id>/documents/", views.upload_documents, name="upload"),
    path(
        "<int:case_id>/status/<slug:action>/", views.change_status, name="change_status"
    ),
    path("<int:case_id>/chat/", views.chat_log, name="chat"),
    path("<int:case_id>/updates/", views.post_update, name="post_update"),
    path("<int:case_id>/merge/", views.merge, name="merge"),
    path("<int:case_id>/edit/", views.edit, name="edit"),
    path("<int:case_id>/claims/correct/", views.correct_line, name="correct_line"),
    path("<int:case_id>/evidence/", views.export_evidence, name="evidence"),
    path("statuses/", views.status_help, name="status_help"),
]
