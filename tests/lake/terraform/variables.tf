variable "endpoint_url" {
  description = "URL of the moto_server the provider talks to."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every name in the stack."
  type        = string
}
