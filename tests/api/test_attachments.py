"""The `protocol-attachments` resource: auditors list the photographs and PDFs of signed paper
protocols (hash, size, type, download URL) and download the files, within their token's territory,
only for protocols whose figures are published (verified or certified)."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from core import audit, clock
from results.models import ProtocolAttachment
from tests.results.attachment_files import PDF, png_bytes

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def attached(protocol, content, name, content_type, by):
    """An attachment as the service leaves it (the service refuses certified protocols, which these
    factories build directly): the stored file, the row and the audit record."""
    digest = hashlib.sha256(content).hexdigest()
    extension = {"image/png": "png", "application/pdf": "pdf"}[content_type]
    with transaction.atomic():
        row = ProtocolAttachment(
            protocol=protocol,
            sha256=digest,
            content_type=content_type,
            size=len(content),
            original_name=name,
            cycle=protocol.cycle,
            uploaded_by=by,
            uploaded_at=clock.now(),
        )
        row.file.save(f"protocols/{protocol.pk}/{digest}.{extension}", ContentFile(content), save=False)
        row.save()
        audit.record(actor=by, action="protocol.attach", obj=protocol, data={"sha256": digest})
    return row


@pytest.fixture
def files(world, cec_staff):
    akmola_certified = f.protocol(
        world.contest_a,
        f.station(world.akmola[2], 2),
        state="certified",
        votes={world.cand_a1: 5},
        certified_by=cec_staff,
    )
    return {
        "karaganda": attached(world.protocol_k, png_bytes(), "Хаттама.png", "image/png", world.clerk),
        "karaganda_pdf": attached(world.protocol_k, PDF, "scan.pdf", "application/pdf", world.clerk),
        "akmola": attached(akmola_certified, png_bytes(width=7), "a.png", "image/png", world.clerk),
        # protocol_a is only first_entry_done: its figures, and so its paper, are not published yet.
        "unpublished": attached(world.protocol_a, png_bytes(width=9), "u.png", "image/png", world.clerk),
    }


def test_an_auditor_lists_hash_size_type_and_download_url(api, files):
    response = api.get("/api/v1/protocol-attachments/")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {files["karaganda"].pk, files["karaganda_pdf"].pk, files["akmola"].pk}
    row, image = rows[files["karaganda"].pk], files["karaganda"]
    assert row == {
        "id": image.pk,
        "protocol": image.protocol_id,
        "election": image.protocol.election_id,
        "cycle": 1,
        "name": "Хаттама.png",
        "sha256": hashlib.sha256(png_bytes()).hexdigest(),
        "size": len(png_bytes()),
        "content_type": "image/png",
        "uploaded_at": row["uploaded_at"],
        "download_url": f"http://testserver/api/v1/protocol-attachments/{image.pk}/file/",
    }


def test_the_list_filters_by_protocol(api, files):
    pk = files["akmola"].protocol_id
    rows = api.get(f"/api/v1/protocol-attachments/?protocol={pk}").json()["results"]
    assert [row["id"] for row in rows] == [files["akmola"].pk]


def test_the_download_gives_the_bytes_with_their_hash_type_and_nosniff(api, files):
    image = files["karaganda"]
    response = api.get(f"/api/v1/protocol-attachments/{image.pk}/file/", HTTP_ACCEPT="image/png")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == image.sha256 and body == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''")

    pdf = api.get(f"/api/v1/protocol-attachments/{files['karaganda_pdf'].pk}/file/")
    assert b"".join(pdf.streaming_content) == PDF
    assert (pdf["Content-Type"], pdf["Content-Disposition"]) == ("application/pdf", 'attachment; filename="scan.pdf"')


def test_a_scoped_auditor_sees_and_downloads_only_their_region(regional_api, files):
    listed = {row["id"] for row in regional_api.get("/api/v1/protocol-attachments/").json()["results"]}
    assert listed == {files["karaganda"].pk, files["karaganda_pdf"].pk}
    other = files["akmola"].pk
    for path in (f"/api/v1/protocol-attachments/{other}/", f"/api/v1/protocol-attachments/{other}/file/"):
        response = regional_api.get(path, HTTP_ACCEPT="*/*")
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found"
    assert regional_api.get(f"/api/v1/protocol-attachments/{files['karaganda'].pk}/file/").status_code == 200


def test_the_paper_of_an_unpublished_protocol_is_not_served(api, files):
    pk = files["unpublished"].pk
    assert api.get(f"/api/v1/protocol-attachments/{pk}/").status_code == 404
    assert api.get(f"/api/v1/protocol-attachments/{pk}/file/").status_code == 404


def test_anonymous_gets_401_and_no_bytes(client_for, files):
    response = client_for().get(f"/api/v1/protocol-attachments/{files['karaganda'].pk}/file/")
    assert response.status_code == 401 and response.json()["status"] == 401


def test_the_schema_documents_the_list_and_the_download(api):
    schema = api.get("/api/schema/?format=json").json()
    download = schema["paths"]["/api/v1/protocol-attachments/{id}/file/"]["get"]
    assert set(download["responses"]["200"]["content"]) == {"image/jpeg", "image/png", "application/pdf"}
    assert download["responses"]["200"]["content"]["image/png"]["schema"] == {"type": "string", "format": "binary"}
    assert download["responses"]["404"]["content"]["application/json"]
    listing = schema["paths"]["/api/v1/protocol-attachments/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"protocol", "election", "region", "district", "cursor"}
    fields = schema["components"]["schemas"]["Attachment"]["properties"]
    assert set(fields) >= {"sha256", "size", "content_type", "uploaded_at", "download_url"}
