# prod catalog: shared settings in _envcommon/catalog.hcl and prod/env.hcl (which
# keeps the workgroup's query history on destroy).
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/catalog.hcl"
}

# Refuse `terragrunt destroy` (and `run --all destroy`) here: the workgroup keeps
# prod's query history, and the tables are what analysts' queries depend on.
prevent_destroy = true
