# prod processor: shared settings in _envcommon/processor.hcl and prod/env.hcl.
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path   = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/processor.hcl"
  expose = true
}

# Inputs only prod has a value for (the values and their reasons are in
# prod/env.hcl). They are set here, not in _envcommon/processor.hcl, because dev
# must leave them out rather than pass null: Terragrunt has had regressions
# passing null inputs, and leaving them out lets the module defaults apply.
inputs = {
  reserved_concurrent_executions = include.envcommon.locals.env.reserved_concurrent_executions
  maximum_concurrency            = include.envcommon.locals.env.maximum_concurrency
  alarm_topic_arn                = include.envcommon.locals.env.alarm_topic_arn
}
