# ses-guard from a plain HCL root module, without CDKTF: one call of the generated module per
# SES region. Generate the module first (`npm run module` writes dist/terraform-module/ses-guard),
# then run terraform here; see README.md beside this file.

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # Keep the state where your other stacks keep theirs, for example:
  # backend "s3" {
  #   bucket       = "acme-terraform-state"
  #   key          = "ses-guard/terraform.tfstate"
  #   region       = "eu-west-1"
  #   use_lockfile = true
  # }
}

variable "account_id" {
  description = "The AWS account that sends with SES (12 digits, as a string)."
  type        = string
}

variable "alarm_emails" {
  description = "Who is e-mailed when a reputation or archive alarm changes state."
  type        = list(string)
}

variable "sending_identities" {
  description = "SES identities (domains or addresses) whose bounces and complaints are reported one by one."
  type        = list(string)
}

variable "slack_channels" {
  description = "Slack channels for alarms and SES events (workspace authorized once in the Amazon Q Developer console)."
  type        = list(object({ name = string, workspace_id = string, channel_id = string }))
  default     = []
}

variable "notification_emails" {
  description = "Subscribers of the per-message notifications, e.g. a Slack channel's e-mail address. null: alarm_emails."
  type        = list(string)
  default     = null
}

# The home region: alarms, archive and per-message notifications.
provider "aws" {
  region              = "eu-west-1"
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = {
      service    = "ses-guard"
      managed-by = "terraform"
    }
  }
}

# A second SES region: SES reputation is per region, so it gets its own module call.
provider "aws" {
  alias               = "us_east_1"
  region              = "us-east-1"
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = {
      service    = "ses-guard"
      managed-by = "terraform"
    }
  }
}

module "ses_guard" {
  source = "../../dist/terraform-module/ses-guard"

  name_prefix             = "mail"
  account_id              = var.account_id
  alarm_emails            = var.alarm_emails
  notification_identities = var.sending_identities
  notification_emails     = var.notification_emails

  # Stricter than AWS's review levels (5 % and 0.1 %), so there is time to act.
  bounce_rate_warning_percent  = 2
  bounce_rate_critical_percent = 4

  # KMS for the archive too (topics are always encrypted), and old object versions kept for 30 days.
  encrypt_archive = true
  versioning      = true

  # Athena over the archive for when an alarm fires, and SES's own suppression list in this region.
  investigation_enabled     = true
  suppression_account_level = ["BOUNCE", "COMPLAINT"]

  # Alarms and hard bounces and complaints in Slack (eu-west-1 has the chat API), and a pause of
  # the configuration set when its critical alarm fires.
  chat_slack_channels = var.slack_channels
  auto_pause_enabled  = true

  tags = { team = "platform" }
}

module "ses_guard_us_east_1" {
  source    = "../../dist/terraform-module/ses-guard"
  providers = { aws = aws.us_east_1 }

  name_prefix  = "mail"
  account_id   = var.account_id
  alarm_emails = var.alarm_emails

  # Alarms and archive only in this region; the suppression list is per region too.
  notifications_enabled     = false
  suppression_account_level = ["BOUNCE", "COMPLAINT"]

  tags = { team = "platform" }
}

output "configuration_set_names" {
  description = "Send with these (ConfigurationSetName, per region), or nothing is archived."
  value = {
    eu-west-1 = module.ses_guard.configuration_set_name
    us-east-1 = module.ses_guard_us_east_1.configuration_set_name
  }
}

output "pending_email_confirmations" {
  description = "Addresses that still have to click the link in their SNS confirmation mail."
  value       = distinct(concat(module.ses_guard.pending_email_confirmations, module.ses_guard_us_east_1.pending_email_confirmations))
}

output "athena_workgroup" {
  description = "Where to investigate an alarm: the saved queries of this workgroup (eu-west-1)."
  value       = module.ses_guard.athena_workgroup
}

output "dashboard_urls" {
  description = "The CloudWatch dashboard of each region."
  value = {
    eu-west-1 = module.ses_guard.dashboard_url
    us-east-1 = module.ses_guard_us_east_1.dashboard_url
  }
}

output "next_steps" {
  description = "What to do after the first apply."
  value       = module.ses_guard.next_steps
}
