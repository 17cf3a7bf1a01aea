"""The HR staff-import page: upload → preview → confirm.

Alice is an HR admin, Bob a manager, Charlie a member of staff.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import OrgUnit, Role, User
from accounts.views import STAFF_IMPORT_SESSION_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("accounts:staff_import")
CONFIRM_URL = reverse("accounts:staff_import_confirm")
TEMPLATE_URL = reverse("accounts:staff_import_template")

HEADER = "staff_id,full_name,email,unit,manager_staff_id,role,active"
GOOD_CSV = "\n".join(
    [
        HEADER,
        "M001,Siti Aminah binti Ahmad,siti@example.com,HQ/Comms,,manager,yes",
        "S001,陈伟玲,weiling@example.com,HQ/Comms/Digital,M001,staff,yes",
        "S002,கவிதா சுப்பிரமணியம்,kavitha@example.com,HQ/Comms/Digital,M001,staff,yes",
    ]
)
BAD_CSV = "\n".join(
    [
        HEADER,
        "M001,Siti Aminah binti Ahmad,siti@example.com,HQ/Comms,,manager,yes",
        "S001,Tan Wei Ling,not-an-email,HQ/Comms,M001,staff,yes",
        "S002,Kavitha,kavitha@example.com,HQ//Comms,M001,boss,yes",
    ]
)


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", role=Role.HR_ADMIN, unit="HQ/HR")


@pytest.fixture
def bob():
    return UserFactory(staff_id="bob", role=Role.MANAGER, unit="HQ")


@pytest.fixture
def charlie(bob):
    return UserFactory(staff_id="charlie", role=Role.STAFF, unit="HQ", manager=bob)


def upload(client, text: str, name: str = "staff.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(IMPORT_URL, {"file": file})


def test_hr_sees_the_upload_form(client, alice):
    client.force_login(alice)

    response = client.get(IMPORT_URL)

    assert response.status_code == 200
    assert "Import staff" in response.text
    assert TEMPLATE_URL in response.text
    assert 'enctype="multipart/form-data"' in response.text


def test_hr_previews_then_confirms(client, alice):
    client.force_login(alice)

    preview = upload(client, GOOD_CSV)

    assert preview.status_code == 200
    assert "Import staff: preview" in preview.text
    counts = preview.context["counts"]
    assert counts == {"create": 3, "update": 0, "unchanged": 0, "deactivate": 0}
    assert "陈伟玲" in preview.text
    assert "கவிதா சுப்பிரமணியம்" in preview.text
    assert 'class="badge badge-create"' in preview.text
    assert "Confirm import" in preview.text
    assert not User.objects.filter(staff_id="S001").exists()  # nothing written yet

    fingerprint = preview.context["plan"].fingerprint
    done = client.post(CONFIRM_URL, {"fingerprint": fingerprint}, follow=True)

    assert done.redirect_chain == [(IMPORT_URL, 302)]
    assert "3 created" in done.text
    assert User.objects.get(staff_id="S001").full_name == "陈伟玲"
    assert User.objects.get(staff_id="S002").manager.staff_id == "M001"
    assert OrgUnit.objects.filter(path="HQ/Comms/Digital").exists()
    assert STAFF_IMPORT_SESSION_KEY not in client.session


def test_confirming_twice_is_refused(client, alice):
    client.force_login(alice)
    fingerprint = upload(client, GOOD_CSV).context["plan"].fingerprint
    client.post(CONFIRM_URL, {"fingerprint": fingerprint})

    again = client.post(CONFIRM_URL, {"fingerprint": fingerprint}, follow=True)

    assert "no longer current" in again.text
    assert User.objects.filter(staff_id="S001").count() == 1


def test_update_preview_lists_what_changes(client, alice):
    UserFactory(staff_id="S009", full_name="Old Name", email="s009@example.com", unit="HQ")
    client.force_login(alice)

    preview = upload(client, f"{HEADER}\nS009,New Name,s009@example.com,HQ,,staff,no\n")

    assert preview.context["counts"]["deactivate"] == 1
    assert "full_name: Old Name → New Name" in preview.text
    assert "active: yes → no" in preview.text
    assert 'class="badge badge-deactivate"' in preview.text


def test_bad_file_lists_every_bad_line_and_has_no_confirm(client, alice):
    client.force_login(alice)

    response = upload(client, BAD_CSV)

    assert response.status_code == 200
    errors = [(e.line, e.staff_id) for e in response.context["plan"].errors]
    assert (3, "S001") in errors
    assert (4, "S002") in errors
    assert "email &#x27;not-an-email&#x27; is not a valid email address" in response.text
    assert "role &#x27;boss&#x27; is unknown" in response.text
    assert "empty part" in response.text
    assert 'class="badge badge-error"' in response.text
    assert "Confirm import" not in response.text
    assert CONFIRM_URL not in response.text
    assert STAFF_IMPORT_SESSION_KEY not in client.session
    assert not User.objects.filter(staff_id="M001").exists()


def test_file_that_is_not_utf8_is_explained(client, alice):
    client.force_login(alice)
    file = SimpleUploadedFile("staff.csv", (HEADER + "\nS001,Ali\x81\n").encode("latin-1"))

    response = client.post(IMPORT_URL, {"file": file})

    assert "not UTF-8" in response.text
    assert "Confirm import" not in response.text


def test_empty_upload_is_a_form_error(client, alice):
    client.force_login(alice)

    response = upload(client, "")

    assert response.status_code == 200
    assert "Preview import" in response.text  # still the upload form
    assert "empty" in response.text


def test_stale_confirm_is_refused(client, alice):
    """Preview A in one tab, upload B in another, then confirm A: refused."""
    client.force_login(alice)
    first = upload(client, GOOD_CSV).context["plan"].fingerprint
    upload(client, f"{HEADER}\nX001,Someone Else,x@example.com,HQ,,staff,yes\n")

    response = client.post(CONFIRM_URL, {"fingerprint": first}, follow=True)

    assert response.redirect_chain == [(IMPORT_URL, 302)]
    assert "no longer current" in response.text
    assert not User.objects.filter(staff_id__in=["M001", "X001"]).exists()


def test_confirm_without_a_preview_is_refused(client, alice):
    client.force_login(alice)

    response = client.post(CONFIRM_URL, {"fingerprint": "0" * 64}, follow=True)

    assert "no longer current" in response.text
    assert User.objects.count() == 1


def test_data_changed_since_preview_shows_the_new_preview(client, alice):
    client.force_login(alice)
    fingerprint = upload(client, GOOD_CSV).context["plan"].fingerprint
    UserFactory(staff_id="S001", full_name="Created Meanwhile", email="weiling@example.com")

    response = client.post(CONFIRM_URL, {"fingerprint": fingerprint})

    assert response.status_code == 200
    assert "changed since the preview" in response.text
    assert response.context["counts"] == {"create": 2, "update": 1, "unchanged": 0, "deactivate": 0}
    assert not User.objects.filter(staff_id="M001").exists()
    assert User.objects.get(staff_id="S001").full_name == "Created Meanwhile"


def test_template_download_has_the_header_row(client, alice):
    client.force_login(alice)

    response = client.get(TEMPLATE_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").strip() == HEADER


@pytest.mark.parametrize("who", ["bob", "charlie"])
@pytest.mark.parametrize(
    ("method", "url"),
    [("get", IMPORT_URL), ("post", IMPORT_URL), ("post", CONFIRM_URL), ("get", TEMPLATE_URL)],
)
def test_managers_and_staff_are_refused(client, request, who, method, url):
    client.force_login(request.getfixturevalue(who))

    response = getattr(client, method)(url)

    assert response.status_code == 403


def test_manager_cannot_import_by_posting_a_file(client, bob):
    client.force_login(bob)

    response = upload(client, GOOD_CSV)

    assert response.status_code == 403
    assert not User.objects.filter(staff_id="M001").exists()


@pytest.mark.parametrize("url", [IMPORT_URL, CONFIRM_URL, TEMPLATE_URL])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_inactive_hr_admin_is_refused(client, alice):
    alice.is_active = False
    alice.save()
    client.force_login(alice)

    response = client.get(IMPORT_URL)

    # Django's auth refuses inactive users' sessions, so they count as logged out.
    assert response.status_code == 302


def test_import_link_is_in_hr_navigation(client, alice):
    client.force_login(alice)

    response = client.get(reverse("home"))

    assert IMPORT_URL in response.text
