#!/usr/bin/env bash
# Print the root of a Terraform filesystem provider mirror on this machine, or
# nothing. Used when TF_PROVIDER_MIRROR is unset so tests, lint and the demo run
# terraform offline on machines that carry a mirror instead of registry access.
# A mirror lays providers out as HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/binary, so
# its root is five levels above the provider binary.
set -euo pipefail
provider_binary=$(find / -xdev \( -path /proc -o -path /sys -o -path /tmp -o -path '*/.terraform' \) -prune -o \
  -path '*/registry.terraform.io/hashicorp/aws/*' -name 'terraform-provider-aws*' -type f -print \
  2>/dev/null | head -n 1 || true)
if [[ -n "$provider_binary" ]]; then
  (cd "$(dirname "$provider_binary")/../../../../.." && pwd)
fi
