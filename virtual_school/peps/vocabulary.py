"""Personal Education Plan words, spelled once: the workflow's state sets (workflows/personal_education_plan.json)."""

APPROVED = "Approved"
# a PEP whose meeting has been held and quality-assured: it meets the statutory obligation
DONE_STATES = (APPROVED,)
# states in which the school may still edit its part in the portal
SCHOOL_EDITABLE_STATES = ("Draft", "Returned")
