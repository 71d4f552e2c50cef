{% if r.decommissioning %}# Being decommissioned: its protection is lifted so that `terraform apply` can delete it. The next
# destroy of `{{ r.name }}` in chat removes it from these files; the apply after that deletes it.
{% endif -%}
