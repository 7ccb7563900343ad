# prod input bucket: shared settings in _envcommon/input-bucket.hcl and prod/env.hcl.
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/input-bucket.hcl"
}

# Refuse `terragrunt destroy` (and `run --all destroy`) here: this unit holds
# data (or the images prod runs) that a mistaken destroy must not take with it.
prevent_destroy = true
