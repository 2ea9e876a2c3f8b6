"""A Python stack that reuses the loyalty components: its own ledger (a LoyaltyStore), the ingest
of a partner platform's order events on the partners' bus, and an IAM-authorized API.

`pulumi package add github.com/otrium/otrium-loyalty@v0.2.0` generates the `pulumi_otrium_loyalty`
SDK from the package's schema (schema.json) and records the package in Pulumi.yaml.
"""
import pulumi
import pulumi_otrium_loyalty as loyalty

config = pulumi.Config("marketplace")

# The lifecycle is the ledger's: the store keeps it, and the ref the ingest and the API read
# names it again (a plain value in every language, so it is checked before anything is created).
lifecycle = loyalty.LedgerLifecycleArgs(pending_days=14, expiry_days=365)

store = loyalty.LoyaltyStore("partner-store", lifecycle=lifecycle, deletion_protection=True)

ledger = loyalty.LedgerTableRefArgs(
    table_name=store.table_name,
    table_arn=store.table_arn,
    kms_key_arn=store.kms_key_arn,
    lifecycle=lifecycle,
)

ingest = loyalty.LoyaltyIngest(
    "partner-ingest",
    store=ledger,
    earn_rules={"EUR": 2},
    # The partner platform's account: the only one whose events may earn points here.
    publisher_accounts=config.require_object("publisherAccounts"),
    event_bus_name="marketplace-partners",
    event_source="otrium.partners",
)

api = loyalty.LoyaltyApi(
    "partner-api",
    store=ledger,
    auth=loyalty.ApiAuthArgs(type=loyalty.ApiAuthType.IAM),
    stage_name="partners",
)

pulumi.export("tableName", store.table_name)
pulumi.export("queueUrl", ingest.queue_url)
pulumi.export("apiUrl", api.url)
