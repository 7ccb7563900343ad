# Project-wide constants, read by root.hcl and the _envcommon files.
locals {
  project = "orders-pipeline"

  # Value of the Repository default tag: where the code that manages a resource
  # lives. Replace it with the repository's URL once it has a canonical remote.
  repository = "orders-pipeline"
}
