"""Pupil Premium Plus words and questions, spelled once: claim states and the funding year."""

# PP Plus Claim workflow states (workflows/pp_plus_claim.json)
APPROVED = "Approved"
PAID = "Paid"
REJECTED = "Rejected"
RETURNED = "Returned"
# money the authority has agreed to spend: counts against a child's budget, Finance may see it
COMMITTED_STATES = (APPROVED, PAID)
