tags = {
Name            = "{{ tag_name }}"
created_by      = "chatops"
chatops_project = "{{ v.project_id }}"
}
