labels = {
"created-by"      = "chatops"
"chatops-project" = "{{ v.project_id }}"
}
