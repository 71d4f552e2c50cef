{# One Kubernetes cluster's part of kubernetes.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% let tag_name = r.name.as_str() %}
resource "aws_iam_role" "{{ r.label }}_cluster" {
name = "{{ v.project_id }}-{{ r.name }}-cluster"
assume_role_policy = jsonencode({
Version = "2012-10-17"
Statement = [{
Effect    = "Allow"
Principal = { Service = "eks.amazonaws.com" }
Action    = ["sts:AssumeRole", "sts:TagSession"]
}]
})
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_iam_role_policy_attachment" "{{ r.label }}_cluster" {
role       = aws_iam_role.{{ r.label }}_cluster.name
policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_iam_role" "{{ r.label }}_nodes" {
name = "{{ v.project_id }}-{{ r.name }}-nodes"
assume_role_policy = jsonencode({
Version = "2012-10-17"
Statement = [{
Effect    = "Allow"
Principal = { Service = "ec2.amazonaws.com" }
Action    = "sts:AssumeRole"
}]
})
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_iam_role_policy_attachment" "{{ r.label }}_nodes_worker" {
role       = aws_iam_role.{{ r.label }}_nodes.name
policy_arn = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"
}

resource "aws_iam_role_policy_attachment" "{{ r.label }}_nodes_cni" {
role       = aws_iam_role.{{ r.label }}_nodes.name
policy_arn = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
}

resource "aws_iam_role_policy_attachment" "{{ r.label }}_nodes_ecr" {
role       = aws_iam_role.{{ r.label }}_nodes.name
policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}

resource "aws_kms_key" "{{ r.label }}_eks" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
description             = "chatops EKS secrets for {{ r.name }}"
enable_key_rotation     = true
deletion_window_in_days = 30
policy = jsonencode({
Version = "2012-10-17"
Statement = [{
Sid       = "AccountAdministersTheKey"
Effect    = "Allow"
Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
Action    = "kms:*"
Resource  = "*"
}]
})
{% include "terraform/aws/_tags.tf" %}
}

{% include "terraform/shared/_decommission.tf" -%}
resource "aws_eks_cluster" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
name                      = "{{ r.physical }}"
role_arn                  = aws_iam_role.{{ r.label }}_cluster.arn
enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
depends_on                = [aws_iam_role_policy_attachment.{{ r.label }}_cluster]
{% include "terraform/aws/_tags.tf" %}

access_config {
authentication_mode = "API"
}

vpc_config {
subnet_ids              = [aws_subnet.{{ r.net }}_a.id, aws_subnet.{{ r.net }}_b.id]
endpoint_private_access = true
endpoint_public_access  = false
}

encryption_config {
resources = ["secrets"]

provider {
key_arn = aws_kms_key.{{ r.label }}_eks.arn
}
}
}

resource "aws_eks_node_group" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
cluster_name    = aws_eks_cluster.{{ r.label }}.name
node_group_name = "{{ r.name }}-nodes"
node_role_arn   = aws_iam_role.{{ r.label }}_nodes.arn
subnet_ids      = [aws_subnet.{{ r.net }}_a.id, aws_subnet.{{ r.net }}_b.id]
instance_types  = ["{{ r.size }}"]
ami_type        = "{% if r.arm %}AL2023_ARM_64_STANDARD{% else %}AL2023_x86_64_STANDARD{% endif %}"
depends_on = [
aws_iam_role_policy_attachment.{{ r.label }}_nodes_worker,
aws_iam_role_policy_attachment.{{ r.label }}_nodes_cni,
aws_iam_role_policy_attachment.{{ r.label }}_nodes_ecr,
]
{% include "terraform/aws/_tags.tf" %}

scaling_config {
desired_size = {{ r.nodes }}
min_size     = {{ r.nodes }}
max_size     = {{ r.nodes }}
}
}

