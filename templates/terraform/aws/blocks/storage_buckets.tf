{# One bucket's part of storage.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% let tag_name = r.name.as_str() %}
{% include "terraform/shared/_decommission.tf" -%}
resource "aws_s3_bucket" "{{ r.label }}" {
# checkov:skip=CKV_AWS_18: access logs go to a log bucket of the team's (aws_s3_bucket_logging in an override)
# checkov:skip=CKV2_AWS_62: event notifications need a destination (queue, topic, function) of the team's
# checkov:skip=CKV_AWS_144: cross-region replication needs a second bucket and doubles the price the lobby charged
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
bucket        = "{{ r.physical }}"
force_destroy = {{ r.decommissioning }}
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_s3_bucket_public_access_block" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
bucket                  = aws_s3_bucket.{{ r.label }}.id
block_public_acls       = true
block_public_policy     = true
ignore_public_acls      = true
restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
bucket = aws_s3_bucket.{{ r.label }}.id

rule {
object_ownership = "BucketOwnerEnforced"
}
}

resource "aws_s3_bucket_server_side_encryption_configuration" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
bucket = aws_s3_bucket.{{ r.label }}.id

rule {
bucket_key_enabled = true

apply_server_side_encryption_by_default {
sse_algorithm = "aws:kms"
}
}
}

resource "aws_s3_bucket_lifecycle_configuration" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
bucket     = aws_s3_bucket.{{ r.label }}.id
depends_on = [aws_s3_bucket_versioning.{{ r.label }}]

rule {
id     = "chatops-housekeeping"
status = "Enabled"

filter {}

abort_incomplete_multipart_upload {
days_after_initiation = 7
}

noncurrent_version_expiration {
noncurrent_days = 90
}
}
}

resource "aws_s3_bucket_versioning" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
bucket = aws_s3_bucket.{{ r.label }}.id

versioning_configuration {
status = "Enabled"
}
}

