tags = {
created_by      = "chatops"
chatops_project = "{{ v.project_id }}"
}
