# prod processor: shared settings in _envcommon/processor.hcl and prod/env.hcl.
include "root" {
  path = find_in_parent_folders("root.hcl")
}

include "envcommon" {
  path   = "${dirname(find_in_parent_folders("root.hcl"))}/_envcommon/processor.hcl"
  expose = true
}

# What only prod sets: a concurrency reservation, its cap on the event source
# and a topic for the alarms.
# Dev omits them instead of passing null, so that the module defaults apply
# (Terragrunt has had regressions passing null inputs).
inputs = {
  reserved_concurrent_executions = include.envcommon.locals.env.reserved_concurrent_executions
  maximum_concurrency            = include.envcommon.locals.env.maximum_concurrency
  alarm_topic_arn                = include.envcommon.locals.env.alarm_topic_arn
}
