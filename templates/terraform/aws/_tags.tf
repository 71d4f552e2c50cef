tags = {
"Name"            = "{{ tag_name }}"
"created-by"      = "chatops"
"chatops-project" = "{{ v.project_id }}"
}
