# dev processor: everything shared is in _envcommon/processor.hcl and dev/env.hcl.
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/processor.hcl"
}
