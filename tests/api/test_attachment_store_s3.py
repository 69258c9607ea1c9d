"""A several-host deployment keeps attachments in an S3-compatible bucket (docs/DEPLOY.md):
the same upload, download and sweep work there, under random keys, each object encrypted by
the server side. The bucket is moto's in-process S3."""

from datetime import timedelta

import boto3
import pytest
from django.utils import timezone
from moto import mock_aws

from server.actions.attachments import remove_untaken_uploads
from server.models import Attachment
from tests.api.attachment_files import PDF, uploaded

BUCKET = "cairn-attachments"


@pytest.fixture
def bucket(settings, monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {**settings.STORAGES, "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "location": "attachments", "default_acl": "private",
                        "file_overwrite": False,
                        "object_parameters": {"ServerSideEncryption": "AES256"}}}}
        yield s3


def keys(s3) -> list:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_upload_download_and_sweep_through_the_bucket(world, as_user, bucket):
    cleo = as_user(world.cleo)
    sent = uploaded(cleo, "insurance card.pdf", PDF)
    row = Attachment.objects.get(pk=sent["id"])
    assert keys(bucket) == [f"attachments/{row.storage_name}"]
    assert "insurance" not in row.storage_name
    head = bucket.head_object(Bucket=BUCKET, Key=f"attachments/{row.storage_name}")
    assert head["ServerSideEncryption"] == "AES256" and head["ContentLength"] == len(PDF)

    r = cleo.get(f"/api/attachments/{sent['id']}")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert as_user(world.cara).get(f"/api/attachments/{sent['id']}").status_code == 404

    Attachment.objects.filter(pk=sent["id"]).update(created_at=timezone.now() - timedelta(days=2))
    assert remove_untaken_uploads(timezone.now()) == 1
    assert keys(bucket) == []
