"""Uploaded files are accepted by content, and served so that they can never run as the site."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guildbook.core.errors import ServiceError
from guildbook.training import services
from guildbook.training.models import Course, CourseMaterial
from tests.factories import CourseFactory
from tests.training.test_manage_courses import post_data

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><script>fetch('/accounts/email/')</script>"
SCRIPT = b"fetch('/api/v1/me/bookings').then(r => r.text()).then(alert)"


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(course, trainer, name, content):
    return services.course_plan_set(
        course=course,
        actor=trainer,
        materials=[{"title": "Handout", "file": SimpleUploadedFile(name, content)}],
    )


@pytest.mark.parametrize(
    "name, content",
    [("handout.pdf", PDF), ("slide.png", PNG), ("notes.docx", docx()), ("notes.txt", b"Tweet")],
)
def test_allowed_kinds_are_accepted(course, trainer, name, content):
    upload(course, trainer, name, content)
    assert course.materials.get().file.name.endswith(name.rsplit(".", 1)[1])


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("handout.html", HTML, "rename it to end .txt"),
        ("handout.js", SCRIPT, "rename it to end .txt"),
        ("handout.txt", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), "cannot be uploaded"),
        ("handout.pdf", PNG, "rename it to end .png"),
        ("handout.txt", b"\x00\x01\x02binary", "cannot be uploaded"),
    ],
)
def test_other_kinds_and_misnamed_files_are_refused(course, trainer, name, content, words):
    with pytest.raises(ServiceError) as err:
        upload(course, trainer, name, content)
    assert err.value.field == "materials"
    assert words in err.value.message
    assert not course.materials.exists()


def test_the_course_form_refuses_a_page(client, trainer, course):
    client.force_login(trainer)
    data = post_data(
        title=course.title,
        materials=[{"title": "Handout", "file": SimpleUploadedFile("handout.html", HTML)}],
    )
    response = client.post(reverse("training:manage_course_edit", args=[course.slug]), data)
    assert response.status_code == 400
    assert "rename it to end .txt" in response.content.decode()
    assert not course.materials.exists()


def stored(name, content):
    course = CourseFactory(visibility=Course.Visibility.PUBLIC)
    material = CourseMaterial(course=course, title="Handout")
    material.file.save(name, ContentFile(content), save=True)
    return material


def assert_cannot_run(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy


def test_a_page_stored_before_the_check_is_only_a_download(client):
    response = client.get(stored("handout.html", HTML).href)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert_cannot_run(response)


def test_plain_text_and_office_files_download(client):
    response = client.get(stored("notes.txt", b"Tweet well").href)
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert_cannot_run(response)
    response = client.get(stored("notes.docx", docx()).href)
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "name, content, mime", [("a.pdf", PDF, "application/pdf"), ("a.png", PNG, "image/png")]
)
def test_images_and_pdfs_show_in_the_browser(client, name, content, mime):
    response = client.get(stored(name, content).href)
    assert response["Content-Type"] == mime
    assert response["Content-Disposition"].startswith("inline;")
    assert_cannot_run(response)
