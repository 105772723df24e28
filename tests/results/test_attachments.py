"""Photographs and PDFs of the signed paper protocol (issue 20, point 2): the service's checks, the
hash in the protocol's audit chain, the upload form and the scoped file view, and the pages that
show them beside the figures."""

import hashlib

import pytest
from django.urls import reverse
from django.utils import translation

from core.audit import verify_chain
from core.errors import OutOfScope
from core.models import AuditEvent
from results.errors import (
    AttachmentEmpty,
    AttachmentNameInvalid,
    AttachmentNotPermitted,
    AttachmentProtocolCertified,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
)
from results.models import ProtocolAttachment
from results.services import certify_protocol
from results.services.attachments import attach_protocol_file, clean_name, detect_type, limit_text

from .attachment_files import JPEG, PDF, png_bytes, upload
from .factories import member, user
from .helpers import fresh, in_discrepancy, snapshot, verified

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def attach_events(protocol):
    return list(AuditEvent.objects.for_object(protocol).filter(action="protocol.attach").order_by("id"))


# --- the service ---------------------------------------------------------------------------------


def test_a_clerk_attaches_a_photograph_and_its_hash_joins_the_protocols_audit_chain(world, media):
    content = png_bytes()
    attachment, created = attach_protocol_file(world.protocol, upload(content, "Протокол №1.png"), world.clerk1)

    assert created is True
    digest = hashlib.sha256(content).hexdigest()
    assert (attachment.sha256, attachment.size, attachment.content_type) == (digest, len(content), "image/png")
    assert attachment.original_name == "Протокол №1.png"
    assert attachment.uploaded_by == world.clerk1 and attachment.cycle == 1
    assert attachment.file.name == f"protocols/{world.protocol.pk}/{digest}.png"
    assert stored_files(media) == [f"protocols/{world.protocol.pk}/{digest}.png"]
    assert (media / attachment.file.name).read_bytes() == content

    (event,) = attach_events(world.protocol)
    assert event.stream == f"results.protocol:{world.protocol.pk}"
    assert event.data == {
        "attachment": attachment.pk,
        "sha256": digest,
        "size": len(content),
        "content_type": "image/png",
        "name": "Протокол №1.png",
    }
    assert (event.actor, event.actor_role, event.commission) == (world.clerk1, "clerk", "УИК 1")
    assert verify_chain()[1] is None
    # An attachment is not a change of the protocol: open entry forms stay valid.
    assert fresh(world.protocol).version == world.protocol.version


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [(JPEG, "scan.jpeg", "image/jpeg"), (PDF, "protocol.pdf", "application/pdf")],
)
def test_jpeg_and_pdf_are_recognised_by_their_first_bytes(world, content, name, content_type):
    attachment, _created = attach_protocol_file(world.protocol, upload(content, name), world.chair)
    assert attachment.content_type == content_type
    assert attachment.file.name.endswith({"image/jpeg": ".jpg", "application/pdf": ".pdf"}[content_type])


def test_the_type_is_the_contents_not_the_name_nor_the_browsers_claim(world, media):
    before = snapshot(world.protocol)
    fake = upload(b"just some text, not a photograph\n", "photo.jpg", "image/jpeg")
    with pytest.raises(AttachmentTypeNotAllowed) as refused:
        attach_protocol_file(world.protocol, fake, world.clerk1)
    assert refused.value.code == "attachment_type_not_allowed"
    assert refused.value.message == "Only a photograph (JPEG or PNG) or a PDF of the signed protocol can be attached."
    assert snapshot(world.protocol) == before
    assert not ProtocolAttachment.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (b"\xff\xd8\xff\xdb", "image/jpeg"),
        (b"\xff\xd8\xfe", None),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"\x89PNG\r\n\x1a", None),
        (b"%PDF-1.7", "application/pdf"),
        (b"%PDF1.7", None),
        (b"GIF89a", None),
        (b"RIFF\x00\x00\x00\x00WEBP", None),
        (b"", None),
    ],
)
def test_signatures(head, found):
    assert (detect_type(head) or (None,))[0] == found


def test_the_size_limit_both_sides_of_the_boundary(world, settings, media):
    settings.RESULTS_ATTACHMENT_MAX_BYTES = 100
    at_limit = PDF + b"%" * (100 - len(PDF))
    attachment, created = attach_protocol_file(world.protocol, upload(at_limit, "a.pdf"), world.clerk1)
    assert created and attachment.size == 100

    before = snapshot(world.protocol)
    with pytest.raises(AttachmentTooLarge) as refused:
        attach_protocol_file(world.protocol, upload(at_limit + b"%", "b.pdf"), world.clerk1)
    assert refused.value.code == "attachment_too_large"
    assert refused.value.message == "The file is too large: at most 100 B are accepted."
    assert refused.value.details == {"field": "file", "limit": 100}
    assert snapshot(world.protocol) == before
    assert ProtocolAttachment.objects.count() == 1 and len(stored_files(media)) == 1


def test_a_file_larger_than_it_says_is_still_stopped_while_it_is_read(world, settings):
    settings.RESULTS_ATTACHMENT_MAX_BYTES = 100
    lying = upload(PDF + b"%" * 200, "c.pdf")
    lying.size = 10
    with pytest.raises(AttachmentTooLarge):
        attach_protocol_file(world.protocol, lying, world.clerk1)
    assert not ProtocolAttachment.objects.exists()


@pytest.mark.parametrize(
    ("limit", "text"), [(10 * 1024 * 1024, "10 MB"), (1536 * 1024, "1.5 MB"), (500 * 1024, "500 KB"), (1023, "1023 B")]
)
def test_the_limit_as_people_read_it(limit, text):
    assert limit_text(limit) == text


def test_an_empty_file_is_refused(world):
    with pytest.raises(AttachmentEmpty) as refused:
        attach_protocol_file(world.protocol, upload(b"", "empty.png"), world.clerk1)
    assert (refused.value.code, refused.value.message) == ("attachment_empty", "The file is empty.")


def test_outside_the_territory_nothing_is_attached(world):
    before = snapshot(world.protocol)
    with pytest.raises(OutOfScope):
        attach_protocol_file(world.protocol, upload(png_bytes()), world.outsider)
    with pytest.raises(OutOfScope):
        attach_protocol_file(world.other_protocol, upload(png_bytes()), world.clerk1)
    assert snapshot(world.protocol) == before and not ProtocolAttachment.objects.exists()


@pytest.mark.parametrize("who", ["tec", "regional", "cec"])
def test_a_territorial_commission_certifies_and_does_not_attach(world, who):
    with pytest.raises(AttachmentNotPermitted) as refused:
        attach_protocol_file(world.protocol, upload(png_bytes()), getattr(world, who))
    assert refused.value.code == "attachment_not_permitted"
    assert refused.value.message == (
        "Only a member of the precinct commission that counted this protocol can attach its signed paper."
    )
    assert not ProtocolAttachment.objects.exists()


def test_every_member_of_the_precinct_commission_may_attach_until_certification(world, media):
    for n, who in enumerate((world.clerk1, world.clerk2, world.clerk3, world.chair)):
        attach_protocol_file(world.protocol, upload(png_bytes(width=n + 1)), who)
    assert ProtocolAttachment.objects.filter(protocol=world.protocol).count() == 4
    protocol = verified(world)
    attach_protocol_file(protocol, upload(png_bytes(width=9)), world.chair)  # verified: still open
    certify_protocol(fresh(protocol), world.tec)
    before = snapshot(protocol)
    with pytest.raises(AttachmentProtocolCertified) as refused:
        attach_protocol_file(fresh(protocol), upload(png_bytes(width=10)), world.chair)
    assert refused.value.code == "attachment_protocol_certified"
    assert snapshot(protocol) == before
    assert ProtocolAttachment.objects.count() == 5 and len(stored_files(media)) == 5


def test_the_same_file_twice_is_one_attachment(world, media):
    first, created = attach_protocol_file(world.protocol, upload(png_bytes(), "a.png"), world.clerk1)
    again, created_again = attach_protocol_file(world.protocol, upload(png_bytes(), "b.png"), world.clerk2)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.original_name == "a.png"
    assert len(attach_events(world.protocol)) == 1 and len(stored_files(media)) == 1
    # The same file on another protocol is that protocol's own attachment.
    station2_clerk = member(user("s2-clerk"), world.precinct2, "clerk")
    other, created_other = attach_protocol_file(world.protocol2, upload(png_bytes()), station2_clerk)
    assert created_other and other.pk != first.pk


def test_a_failure_after_the_file_is_stored_leaves_no_file_and_no_row(world, media, monkeypatch):
    from results.services import attachments

    def broken(**kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(attachments.audit, "record", broken)
    with pytest.raises(RuntimeError):
        attach_protocol_file(world.protocol, upload(png_bytes()), world.clerk1)
    assert not ProtocolAttachment.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("C:\\Users\\clerk\\Desktop\\IMG_0001.JPG", "IMG_0001.JPG"),
        ('a"b<c>d|e?.png', "a_b_c_d_e_.png"),
        ("tab\there.png", "tab_here.png"),
        ("  .hidden.png  ", "hidden.png"),
        ("x" * 196 + ".png", "x" * 196 + ".png"),
    ],
)
def test_names_are_cleaned(raw, kept):
    assert clean_name(raw) == kept


@pytest.mark.parametrize("raw", ["a\x00b.png", "x" * 197 + ".png", "..."])
def test_names_that_cannot_be_kept_are_refused(world, raw):
    with pytest.raises(AttachmentNameInvalid) as refused:
        attach_protocol_file(world.protocol, upload(png_bytes(), raw), world.clerk1)
    assert refused.value.code == "attachment_name_invalid"
    assert not ProtocolAttachment.objects.exists()


@pytest.mark.parametrize("raw", ["", "dir/", "C:\\", None])
def test_names_that_leave_nothing_are_refused(raw):
    with pytest.raises(AttachmentNameInvalid):
        clean_name(raw)


def test_an_over_long_name_says_the_limit(world):
    with pytest.raises(AttachmentNameInvalid) as refused:
        attach_protocol_file(world.protocol, upload(png_bytes(), "x" * 201), world.clerk1)
    assert refused.value.message == "The file name must have 1 to 200 characters: rename the file and retry."


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "Файл слишком большой: принимается не более 100 Б."),
        ("kk", "Файл тым үлкен: ең көбі 100 байт қабылданады."),
    ],
)
def test_the_refusal_in_the_users_language(world, settings, language, text):
    settings.RESULTS_ATTACHMENT_MAX_BYTES = 100
    with translation.override(language), pytest.raises(AttachmentTooLarge) as refused:
        attach_protocol_file(world.protocol, upload(PDF + b"%" * 100, "a.pdf"), world.clerk1)
    assert str(refused.value.message) == text


# --- the pages -----------------------------------------------------------------------------------


def attach_url(protocol):
    return reverse("results:attach", args=[protocol.pk])


def file_url(attachment):
    return reverse("results:attachment", args=[attachment.pk])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_entry_page_uploads_and_a_double_submit_adds_nothing(client, world, media):
    client.force_login(world.clerk1)
    page = client.get(reverse("results:entry", args=[world.protocol.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and f'action="{attach_url(world.protocol)}"' in page
    assert "At most 10 MB." in page
    content = png_bytes()
    digest = hashlib.sha256(content).hexdigest()

    response = client.post(attach_url(world.protocol), {"file": upload(content, "p.png")}, follow=True)
    assert response.redirect_chain == [(reverse("results:entry", args=[world.protocol.pk]), 302)]
    assert messages_of(response) == [f"File p.png attached. Its SHA-256 is {digest}."]
    (attachment,) = ProtocolAttachment.objects.all()
    assert f'src="{file_url(attachment)}"' in response.content.decode()

    again = client.post(attach_url(world.protocol), {"file": upload(content, "p.png")}, follow=True)
    assert messages_of(again) == [
        f"This file is already attached to the protocol (SHA-256 {digest}); it was not added again."
    ]
    assert ProtocolAttachment.objects.count() == 1 and len(attach_events(world.protocol)) == 1


def test_the_upload_form_refuses_with_the_services_message(client, world, media):
    client.force_login(world.clerk1)
    response = client.post(attach_url(world.protocol), {"file": upload(b"hello", "x.jpg")}, follow=True)
    assert messages_of(response) == ["Only a photograph (JPEG or PNG) or a PDF of the signed protocol can be attached."]
    response = client.post(attach_url(world.protocol), {}, follow=True)
    assert messages_of(response) == ["Choose a file to attach."]
    assert not ProtocolAttachment.objects.exists() and stored_files(media) == []


def test_the_upload_form_of_another_territorys_protocol_is_404(client, world):
    client.force_login(world.outsider)
    response = client.post(attach_url(world.protocol), {"file": upload(png_bytes())})
    assert response.status_code == 404 and not ProtocolAttachment.objects.exists()


def test_the_form_is_offered_only_to_those_who_may_attach(client, world):
    url = reverse("results:entry", args=[world.protocol.pk])
    for who, offered in ((world.clerk2, True), (world.chair, True), (world.tec, False)):
        client.force_login(who)
        assert ('id="attach-form"' in client.get(url).content.decode()) is offered, who


def test_the_file_is_served_with_its_type_name_and_nosniff(client, world):
    content = png_bytes()
    image, _ = attach_protocol_file(world.protocol, upload(content, "Протокол.png"), world.clerk1)
    pdf, _ = attach_protocol_file(world.protocol, upload(PDF, "scan.pdf"), world.clerk1)
    client.force_login(world.tec)

    response = client.get(file_url(image))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(content))
    quoted = "%D0%9F%D1%80%D0%BE%D1%82%D0%BE%D0%BA%D0%BE%D0%BB.png"  # Протокол.png, RFC 5987
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quoted}"

    response = client.get(file_url(pdf))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="scan.pdf"'


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("outsider_tec", 404), ("nobody", 404), ("chair", 200)])
def test_the_file_of_another_territory_is_404(client, world, who, status):
    image, _ = attach_protocol_file(world.protocol, upload(png_bytes()), world.clerk1)
    client.force_login(getattr(world, who))
    assert client.get(file_url(image)).status_code == status


def test_anonymous_users_are_sent_to_log_in(client, world):
    image, _ = attach_protocol_file(world.protocol, upload(png_bytes()), world.clerk1)
    response = client.get(file_url(image))
    assert response.status_code == 302 and response["Location"].startswith(reverse("results:login"))


def test_the_discrepancy_page_shows_the_photograph_beside_the_figures(client, world):
    protocol = in_discrepancy(world)
    image, _ = attach_protocol_file(protocol, upload(png_bytes(), "p.png"), world.clerk1)
    pdf, _ = attach_protocol_file(protocol, upload(PDF, "scan.pdf"), world.clerk1)
    client.force_login(world.chair)
    html = client.get(reverse("results:discrepancy", args=[protocol.pk])).content.decode()
    assert html.index('id="comparison"') < html.index(f'<img src="{file_url(image)}"')
    assert f'<a href="{file_url(pdf)}" id="attachment-{pdf.pk}">PDF of the signed protocol: scan.pdf</a>' in html


def test_the_tec_queue_shows_each_protocols_own_attachments(client, world, django_assert_max_num_queries):
    first = verified(world)
    image, _ = attach_protocol_file(first, upload(png_bytes(), "p.png"), world.clerk1)
    client.force_login(world.tec)
    html = client.get(reverse("results:tec_queue")).content.decode()
    row = html[html.index(f'id="row-{first.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'<img src="{file_url(image)}"' in row and "Photograph of the signed protocol: p.png" in row
    assert image.sha256[:16] in row
