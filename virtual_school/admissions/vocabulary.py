"""School Place Request words, spelled once: the workflow's state sets (workflows/school_place_request.json)."""

PLACED = "Placed"
WITHDRAWN = "Withdrawn"
DRAFT = "Draft"
# a request someone is still working on: the clocks run and escalations may open
OPEN_STATES = (
	"Requested",
	"Offered",
	"Refused",
	"Escalated",
	"Direction Consulted",
	"Directed",
	"Referred to Secretary of State",
)
CLOSED_STATES = (PLACED, WITHDRAWN)
