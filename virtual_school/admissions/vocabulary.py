"""School Place Request words, spelled once: the workflow's state sets (workflows/school_place_request.json)."""

PLACED = "Placed"
WITHDRAWN = "Withdrawn"
DRAFT = "Draft"
# the direction sequence (SSFA 1998 s97A-C; admissions.routes enforces its dates)
DIRECTION_CONSULTED = "Direction Consulted"
NOTICE_SERVED = "Notice Served"
DIRECTED = "Directed"
REFERRED_TO_SECRETARY_OF_STATE = "Referred to Secretary of State"
DIRECTION_STATES = (DIRECTION_CONSULTED, NOTICE_SERVED, DIRECTED)
# a request someone is still working on: the clocks run and escalations may open
OPEN_STATES = (
	"Requested",
	"Offered",
	"Refused",
	"Escalated",
	DIRECTION_CONSULTED,
	NOTICE_SERVED,
	DIRECTED,
	REFERRED_TO_SECRETARY_OF_STATE,
)
CLOSED_STATES = (PLACED, WITHDRAWN)
# School Place Approach.response options (school_place_approach.json)
AWAITING = "Awaiting"
OFFERED = "Offered"
REFUSED = "Refused"
